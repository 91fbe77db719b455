import {
  CostCategory,
  IoEvents,
  InterfaceTable,
  Machine,
  MechanismIndex,
  nicTransmitCycles,
  oweNicReceive,
  inject,
  injectable,
  type Domain,
  type FrameHandler,
  type NetFrame,
  type NetworkBackend,
  type Uplink,
  type Vcpu,
} from '@visorkit/core';

/**
 * Bare-metal networking: the kernel's driver puts frames on the NIC directly and the NIC
 * DMAs them. A frame to another domain's address on this machine arrives after the wire's
 * serialisation delay and costs the receiving kernel an interrupt and its driver's receive
 * path; a frame to one of the sender's own addresses is looped back at once, without the
 * wire; any other address is counted as dropped.
 *
 * @public
 */
@injectable()
export class NativeNetwork implements NetworkBackend {
  readonly #interfaces = new InterfaceTable();

  constructor(
    @inject(Machine) readonly machine: Machine,
    @inject(IoEvents) readonly events: IoEvents,
  ) {}

  get dropped(): number {
    return this.#interfaces.dropped;
  }

  attachInterface(domain: Domain, address: string, receive: FrameHandler): number {
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
  }

  transmit(vcpu: Vcpu, iface: number, frame: NetFrame): void {
    const own = this.#interfaces.own(vcpu, iface);
    vcpu.charge(CostCategory.GuestKernel, nicTransmitCycles(this.machine.profile));
    vcpu.count(MechanismIndex.PacketSent);
    if (this.events.ioObserved)
      this.events.emitIo({ time: vcpu.now(), domainId: vcpu.domain.id, kind: 'packet', bytes: frame.bytes, detail: `${frame.source}>${frame.destination}` });
    const target = this.#interfaces.lookup(frame.destination);
    if (target === undefined) {
      this.#interfaces.forwardOrDrop(vcpu.domain, frame, vcpu.now());
      return;
    }
    if (target.domain === own.domain) {
      // Loopback: the kernel hands the frame to its own stack; the NIC never sees it.
      this.#interfaces.deliver(target, frame);
      return;
    }
    this.machine.nicLink.send(
      frame.bytes,
      () => {
        oweNicReceive(target.domain, this.machine.profile);
        this.#interfaces.deliver(target, frame);
      },
      vcpu.now(),
    );
  }
}
