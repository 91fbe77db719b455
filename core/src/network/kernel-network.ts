import { inject, injectable } from 'inversify';
import { CostCategory } from '../accounting/cost-category.js';
import { MechanismIndex } from '../accounting/mechanisms.js';
import type { Domain } from '../domain/domain.js';
import type { Vcpu } from '../domain/vcpu.js';
import { IoEvents } from '../events/io-events.js';
import { Machine } from '../machine/machine.js';
import { InterfaceTable, type NetInterface } from './interface-table.js';
import type { FrameHandler, NetFrame, NetworkBackend, Uplink } from './network-backend.js';
import { nicTransmitCycles, oweNicReceive } from './nic-driver-path.js';

/**
 * The reference network back end: a kernel that drives the machine's NIC itself, with no
 * hypervisor on the path (bare metal). Its driver puts frames on the NIC and the NIC DMAs
 * them. A frame to another domain's address on this machine arrives after the wire's
 * serialisation delay and costs the receiving kernel an interrupt and its driver's receive
 * path; a frame to one of the sender's own addresses is looped back at once, without the
 * wire; any other address goes out over the uplink, or is counted as dropped.
 *
 * A plugin whose kernel layers policy on the same stack extends it through its protected
 * steps — what a bind may take ({@link checkBind}), what a send costs
 * ({@link transmitCycles}), whether a frame may leave ({@link admit}), when it leaves
 * ({@link departure}) and how a local frame reaches its receiver ({@link carry}) — instead of
 * copying the rest.
 *
 * @public
 */
@injectable()
export class KernelNetwork implements NetworkBackend {
  /** The machine's interfaces, by number and by address. */
  protected readonly interfaces = new InterfaceTable();

  constructor(
    @inject(Machine) readonly machine: Machine,
    @inject(IoEvents) readonly events: IoEvents,
  ) {}

  get dropped(): number {
    return this.interfaces.dropped;
  }

  attachInterface(domain: Domain, address: string, receive: FrameHandler): number {
    this.checkBind(domain, address);
    return this.interfaces.attach(domain, address, receive).index;
  }

  connectUplink(uplink: Uplink): void {
    this.interfaces.uplink = uplink;
  }

  owns(address: string): boolean {
    return this.interfaces.owns(address);
  }

  receiveFromWire(frame: NetFrame): void {
    this.interfaces.receiveFromNic(frame, this.machine.profile);
  }

  domainDestroyed(domain: Domain): void {
    this.interfaces.detach(domain);
  }

  transmit(vcpu: Vcpu, index: number, frame: NetFrame): void {
    const own = this.interfaces.own(vcpu, index);
    vcpu.charge(CostCategory.GuestKernel, this.transmitCycles());
    vcpu.count(MechanismIndex.PacketSent);
    if (!this.admit(vcpu, own, frame)) {
      // Refused by the stack's filter: counted as a violation and as dropped.
      vcpu.count(MechanismIndex.PrivilegeViolation);
      this.interfaces.drop(vcpu);
      return;
    }
    if (this.events.ioObserved)
      this.events.emitIo({ time: vcpu.now(), domainId: vcpu.domain.id, kind: 'packet', bytes: frame.bytes, detail: `${frame.source}>${frame.destination}` });
    const at = this.departure(vcpu, frame);
    const target = this.interfaces.lookup(frame.destination);
    if (target === undefined) {
      this.interfaces.forwardOrDrop(vcpu.domain, frame, at);
      return;
    }
    this.carry(own, target, frame, at);
  }

  /** Refuses (throws, typed) a bind of `address` by `domain`; every bind is allowed here. */
  protected checkBind(_domain: Domain, _address: string): void {}

  /** Cycles the sending kernel spends on one frame: its NIC driver's transmit path. */
  protected transmitCycles(): number {
    return nicTransmitCycles(this.machine.profile);
  }

  /** Whether `frame`, sent on `own`, may leave; every frame may here. */
  protected admit(_vcpu: Vcpu, _own: NetInterface, _frame: NetFrame): boolean {
    return true;
  }

  /** When `frame` leaves (ns): at once here. */
  protected departure(vcpu: Vcpu, _frame: NetFrame): number {
    return vcpu.now();
  }

  /**
   * Takes `frame` from `own` to `target`, an interface on this machine, leaving at `at`: to
   * the sender's own domain it is looped back at once (the NIC never sees it); to another
   * domain it crosses the wire and costs the receiver its driver's receive path.
   */
  protected carry(own: NetInterface, target: NetInterface, frame: NetFrame, at: number): void {
    if (target.domain === own.domain) {
      this.interfaces.deliver(target, frame);
      return;
    }
    this.machine.nicLink.send(
      frame.bytes,
      () => {
        oweNicReceive(target.domain, this.machine.profile);
        this.interfaces.deliver(target, frame);
      },
      at,
    );
  }
}
