import {
  CostCategory,
  GuestRequestError,
  IoEvents,
  InterfaceTable,
  Machine,
  MechanismIndex,
  nicTransmitCycles,
  oweNicReceive,
  InvalidArgumentError,
  PrivilegeViolationError,
  inject,
  injectable,
  type Domain,
  type FrameHandler,
  type NetFrame,
  type Uplink,
  type NetworkBackend,
  type Vcpu,
} from '@visorkit/core';
import { VSERVER_PATH } from '../vserver-path-lengths.js';

/**
 * Linux-VServer's network isolation on the one shared stack (VServer paper §3.2): the
 * administrative context assigns each context its addresses; a context may bind an
 * interface only to an assigned address and send only from it. Everything else is the
 * native path, plus the small cost of the context check.
 *
 * @public
 */
@injectable()
export class ContextNetwork implements NetworkBackend {
  readonly #interfaces = new InterfaceTable();
  readonly #assigned = new Map<Domain, ReadonlySet<string>>();
  /** Per-context transmit caps: rate and when the bucket is next free (ns). */
  readonly #rates = new Map<Domain, { mbps: number; nextFree: number }>();

  constructor(
    @inject(Machine) readonly machine: Machine,
    @inject(IoEvents) readonly events: IoEvents,
  ) {}

  get dropped(): number {
    return this.#interfaces.dropped;
  }

  /**
   * The administrative context gives `context` its addresses (nobody else may). Until then a
   * context is unrestricted, as a fresh VServer context is before `vnamespace` setup.
   */
  assignAddresses(admin: Vcpu, context: Domain, addresses: readonly string[]): void {
    if (!admin.domain.isControl) {
      admin.count(MechanismIndex.PrivilegeViolation);
      throw new PrivilegeViolationError(admin.domain.name, 'assign network addresses', 'the administrative context');
    }
    this.#assigned.set(context, new Set(addresses));
  }

  attachInterface(domain: Domain, address: string, receive: FrameHandler): number {
    const allowed = this.#assigned.get(domain);
    if (allowed !== undefined && !allowed.has(address)) {
      domain.counts[MechanismIndex.PrivilegeViolation] = domain.counts[MechanismIndex.PrivilegeViolation]! + 1;
      throw new GuestRequestError(domain.name, 'bind', `address ${address} is not one of its context's addresses (${[...allowed].join(', ')})`);
    }
    return this.#interfaces.attach(domain, address, receive).index;
  }

  connectUplink(uplink: Uplink): void {
    this.#interfaces.uplink = uplink;
  }

  owns(address: string): boolean {
    return this.#interfaces.owns(address);
  }

  receiveFromWire(frame: NetFrame): void {
    this.#interfaces.receiveFromNic(frame, this.machine.profile);
  }

  domainDestroyed(domain: Domain): void {
    this.#interfaces.detach(domain);
    this.#assigned.delete(domain);
    this.#rates.delete(domain);
  }

  /**
   * The administrative context caps `context`'s transmit bandwidth at `mbps` (a token bucket
   * on its traffic, as VServer sets up with the kernel's traffic shaper); 0 removes the cap.
   */
  setBandwidth(admin: Vcpu, context: Domain, mbps: number): void {
    if (!admin.domain.isControl) {
      admin.count(MechanismIndex.PrivilegeViolation);
      throw new PrivilegeViolationError(admin.domain.name, 'set bandwidth share', 'the administrative context');
    }
    if (!(mbps >= 0) || !Number.isFinite(mbps)) throw new InvalidArgumentError('bandwidth', `expected Mbit/s >= 0, got ${mbps}`);
    if (mbps === 0) this.#rates.delete(context);
    else this.#rates.set(context, { mbps, nextFree: 0 });
  }

  /** When `frame` may leave: at once, or when the sender's bucket has room for it. */
  #shape(vcpu: Vcpu, frame: NetFrame): number {
    const now = vcpu.now();
    const bucket = this.#rates.get(vcpu.domain);
    if (bucket === undefined) return now;
    const leave = Math.max(now, bucket.nextFree);
    bucket.nextFree = leave + (frame.bytes * 8 * 1000) / bucket.mbps;
    return leave;
  }

  transmit(vcpu: Vcpu, index: number, frame: NetFrame): void {
    const own = this.#interfaces.own(vcpu, index);
    const p = this.machine.profile;
    vcpu.charge(CostCategory.GuestKernel, nicTransmitCycles(p) + VSERVER_PATH.value.networkContextCheck * p.cpu.kernelCpi);
    vcpu.count(MechanismIndex.PacketSent);
    if (frame.source !== own.address) {
      // Sending from another context's (or any foreign) address is refused by the filter.
      vcpu.count(MechanismIndex.PrivilegeViolation);
      this.#interfaces.drop(vcpu);
      return;
    }
    if (this.events.ioObserved)
      this.events.emitIo({ time: vcpu.now(), domainId: vcpu.domain.id, kind: 'packet', bytes: frame.bytes, detail: `${frame.source}>${frame.destination}` });
    const at = this.#shape(vcpu, frame);
    const target = this.#interfaces.lookup(frame.destination);
    if (target === undefined) {
      this.#interfaces.forwardOrDrop(vcpu.domain, frame, at);
      return;
    }
    // One shared stack: local delivery between contexts never touches the wire, but the
    // receiving side still runs the stack's receive path.
    this.machine.sim.scheduleAt(Math.max(at, this.machine.sim.now), () => {
      oweNicReceive(target.domain, p);
      this.#interfaces.deliver(target, frame);
    });
  }
}
