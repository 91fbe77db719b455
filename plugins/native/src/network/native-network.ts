import {
  CostCategory,
  DomainTable,
  GuestRequestError,
  IoEvents,
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
/** Instructions of the receive path per frame (interrupt handling, descriptor refill). */
const DRIVER_RX_INSTRUCTIONS = 1500;

interface Interface {
  readonly domain: Domain;
  readonly address: string;
  readonly receive: FrameHandler;
}

/**
 * Bare-metal networking: the kernel's driver puts frames on the NIC directly. A frame to an
 * address on this machine arrives after the wire's serialisation delay; any other address is
 * counted as dropped. The data copy between socket buffers and the NIC is charged from the
 * profile's memory bandwidth.
 */
@injectable()
export class NativeNetwork implements NetworkBackend {
  readonly #interfaces: Interface[] = [];
  readonly #byAddress = new Map<string, Interface>();
  #dropped = 0;

  constructor(
    @inject(Machine) readonly machine: Machine,
    @inject(DomainTable) readonly domains: DomainTable,
    @inject(IoEvents) readonly events: IoEvents,
  ) {}

  get dropped(): number {
    return this.#dropped;
  }

  attachInterface(domain: Domain, address: string, receive: FrameHandler): number {
    if (this.#byAddress.has(address)) throw new GuestRequestError(domain.name, 'attach interface', `address ${address} is already in use`);
    const iface: Interface = { domain, address, receive };
    this.#interfaces.push(iface);
    this.#byAddress.set(address, iface);
    return this.#interfaces.length - 1;
  }

  domainDestroyed(domain: Domain): void {
    for (const [address, iface] of this.#byAddress) if (iface.domain === domain) this.#byAddress.delete(address);
  }

  transmit(vcpu: Vcpu, iface: number, frame: NetFrame): void {
    const own = this.#interfaces[iface];
    if (own === undefined || own.domain !== vcpu.domain) {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new GuestRequestError(vcpu.domain.name, 'transmit', `interface ${iface} is not one of its own`);
    }
    const profile = this.machine.profile;
    vcpu.charge(CostCategory.GuestKernel, DRIVER_TX_INSTRUCTIONS * profile.cpu.kernelCpi + this.#copyCycles(frame.bytes));
    vcpu.count(MechanismIndex.PacketSent);
    if (this.events.ioObserved) this.events.emitIo({ time: vcpu.now(), domainId: vcpu.domain.id, kind: 'packet', bytes: frame.bytes, detail: `${frame.source}>${frame.destination}` });
    const target = this.#byAddress.get(frame.destination);
    if (target === undefined) {
      this.#dropped++;
      vcpu.count(MechanismIndex.PacketDropped);
      return;
    }
    const deliver = (): void => {
      target.domain.counts[MechanismIndex.PacketReceived] = target.domain.counts[MechanismIndex.PacketReceived]! + 1;
      target.receive(frame);
    };
    if (target.domain === vcpu.domain && target === own) deliver();
    else this.machine.nicLink.send(frame.bytes, deliver, vcpu.now());
  }

  /** Cycles the receiving kernel spends per frame (used by guests that account receive work). */
  receiveCycles(bytes: number): number {
    return DRIVER_RX_INSTRUCTIONS * this.machine.profile.cpu.kernelCpi + this.#copyCycles(bytes);
  }

  #copyCycles(bytes: number): number {
    const p = this.machine.profile;
    return (bytes / (p.memory.bandwidthGBps * 1e9)) * 1e9 * p.cpu.clockGhz;
  }
}
