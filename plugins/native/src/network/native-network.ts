import {
  CostCategory,
  IoEvents,
  InterfaceTable,
  Machine,
  MechanismIndex,
  inject,
  injectable,
  type Domain,
  type FrameHandler,
  type NetFrame,
  type NetworkBackend,
  type Vcpu,
} from '@visorkit/core';

/** Instructions of a NIC driver's transmit path per frame (descriptor setup, doorbell). */
const DRIVER_TX_INSTRUCTIONS = 1200;

/**
 * Bare-metal networking: the kernel's driver puts frames on the NIC directly. A frame to an
 * address on this machine arrives after the wire's serialisation delay (the same interface:
 * loopback, at once); any other address is counted as dropped. The copy between socket
 * buffers and the NIC is charged from the profile's memory bandwidth.
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

  domainDestroyed(domain: Domain): void {
    this.#interfaces.detach(domain);
  }

  transmit(vcpu: Vcpu, iface: number, frame: NetFrame): void {
    const own = this.#interfaces.own(vcpu, iface);
    const p = this.machine.profile;
    const copyCycles = (frame.bytes / (p.memory.bandwidthGBps * 1e9)) * 1e9 * p.cpu.clockGhz;
    vcpu.charge(CostCategory.GuestKernel, DRIVER_TX_INSTRUCTIONS * p.cpu.kernelCpi + copyCycles);
    vcpu.count(MechanismIndex.PacketSent);
    if (this.events.ioObserved) this.events.emitIo({ time: vcpu.now(), domainId: vcpu.domain.id, kind: 'packet', bytes: frame.bytes, detail: `${frame.source}>${frame.destination}` });
    const target = this.#interfaces.lookup(frame.destination);
    if (target === undefined) {
      this.#interfaces.drop(vcpu);
      return;
    }
    if (target === own) this.#interfaces.deliver(target, frame);
    else this.machine.nicLink.send(frame.bytes, () => this.#interfaces.deliver(target, frame), vcpu.now());
  }
}
