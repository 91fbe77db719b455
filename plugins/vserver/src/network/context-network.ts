import {
  GuestRequestError,
  IoEvents,
  KernelNetwork,
  Machine,
  MechanismIndex,
  oweNicReceive,
  InvalidArgumentError,
  PrivilegeViolationError,
  inject,
  injectable,
  type Domain,
  type NetFrame,
  type NetInterface,
  type Vcpu,
} from '@visorkit/core';
import { VSERVER_PATH } from '../vserver-path-lengths.js';

/**
 * Linux-VServer's network isolation on the one shared stack (VServer paper §3.2): the
 * administrative context assigns each context its addresses; a context may bind an
 * interface only to an assigned address and send only from it. Everything else is the
 * kernel's own stack — core's {@link KernelNetwork}, which this extends — plus the small
 * cost of the context check, per-context transmit caps, and local delivery between
 * contexts through the one stack rather than over the wire.
 *
 * @public
 */
@injectable()
export class ContextNetwork extends KernelNetwork {
  readonly #assigned = new Map<Domain, ReadonlySet<string>>();
  /** Per-context transmit caps: rate and when the bucket is next free (ns). */
  readonly #rates = new Map<Domain, { mbps: number; nextFree: number }>();

  constructor(@inject(Machine) machine: Machine, @inject(IoEvents) events: IoEvents) {
    super(machine, events);
  }

  /**
   * The administrative context gives `context` its addresses (nobody else may). Until then a
   * context is unrestricted, as a fresh VServer context is before `vnamespace` setup.
   */
  assignAddresses(admin: Vcpu, context: Domain, addresses: readonly string[]): void {
    this.#requireAdmin(admin, 'assign network addresses');
    this.#assigned.set(context, new Set(addresses));
  }

  /**
   * The administrative context caps `context`'s transmit bandwidth at `mbps` (a token bucket
   * on its traffic, as VServer sets up with the kernel's traffic shaper); 0 removes the cap.
   */
  setBandwidth(admin: Vcpu, context: Domain, mbps: number): void {
    this.#requireAdmin(admin, 'set bandwidth share');
    if (!(mbps >= 0) || !Number.isFinite(mbps)) throw new InvalidArgumentError('bandwidth', `expected Mbit/s >= 0, got ${mbps}`);
    if (mbps === 0) this.#rates.delete(context);
    else this.#rates.set(context, { mbps, nextFree: 0 });
  }

  override domainDestroyed(domain: Domain): void {
    super.domainDestroyed(domain);
    this.#assigned.delete(domain);
    this.#rates.delete(domain);
  }

  /** A context with assigned addresses binds only those. */
  protected override checkBind(domain: Domain, address: string): void {
    const allowed = this.#assigned.get(domain);
    if (allowed !== undefined && !allowed.has(address)) {
      domain.counts[MechanismIndex.PrivilegeViolation] = domain.counts[MechanismIndex.PrivilegeViolation]! + 1;
      throw new GuestRequestError(domain.name, 'bind', `address ${address} is not one of its context's addresses (${[...allowed].join(', ')})`);
    }
  }

  /** The driver's path plus the context check on the shared stack. */
  protected override transmitCycles(): number {
    const p = this.machine.profile;
    return super.transmitCycles() + VSERVER_PATH.value.networkContextCheck * p.cpu.kernelCpi;
  }

  /** Sending from another context's (or any foreign) address is refused by the filter. */
  protected override admit(_vcpu: Vcpu, own: NetInterface, frame: NetFrame): boolean {
    return frame.source === own.address;
  }

  /** At once, or when the sender's bucket has room for `frame`. */
  protected override departure(vcpu: Vcpu, frame: NetFrame): number {
    const now = vcpu.now();
    const bucket = this.#rates.get(vcpu.domain);
    if (bucket === undefined) return now;
    const leave = Math.max(now, bucket.nextFree);
    bucket.nextFree = leave + (frame.bytes * 8 * 1000) / bucket.mbps;
    return leave;
  }

  /**
   * One shared stack: local delivery between contexts never touches the wire, but the
   * receiving side still runs the stack's receive path.
   */
  protected override carry(_own: NetInterface, target: NetInterface, frame: NetFrame, at: number): void {
    this.machine.sim.scheduleAt(Math.max(at, this.machine.sim.now), () => {
      oweNicReceive(target.domain, this.machine.profile);
      this.interfaces.deliver(target, frame);
    });
  }

  /**
   * Only the administrative context may change another context's network (in VServer, a
   * `vserver()` system call into the one kernel from the host context — not a transition into
   * a hypervisor, so it is checked here, counted as a violation when refused).
   */
  #requireAdmin(admin: Vcpu, operation: string): void {
    if (!admin.domain.isControl) {
      admin.count(MechanismIndex.PrivilegeViolation);
      throw new PrivilegeViolationError(admin.domain.name, operation, 'the administrative context');
    }
  }
}
