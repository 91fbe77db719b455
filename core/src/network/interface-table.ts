import { MechanismIndex } from '../accounting/mechanisms.js';
import { GuestRequestError } from '../dispatch/dispatch-errors.js';
import type { Domain } from '../domain/domain.js';
import type { Vcpu } from '../domain/vcpu.js';
import type { MachineProfile } from '../machine/machine-profile.js';
import type { FrameHandler, NetFrame, Uplink } from './network-backend.js';
import { oweNicReceive } from './nic-driver-path.js';

/**
 * A network interface of a domain.
 *
 * @public
 */
export interface NetInterface {
  readonly index: number;
  readonly domain: Domain;
  readonly address: string;
  readonly receive: FrameHandler;
}

/**
 * The interfaces of one machine by number and by address: the bookkeeping every network back
 * end shares. Delivery goes only to the interface owning a frame's destination; anything
 * else is counted as dropped.
 *
 * @public
 */
export class InterfaceTable {
  readonly #byIndex: NetInterface[] = [];
  readonly #byAddress = new Map<string, NetInterface>();
  /** Frames dropped (unknown destination, filters, spoofing…). */
  dropped = 0;
  /** The wire to another machine, when connected: where frames for unknown addresses go. */
  uplink: Uplink | undefined;

  /** Adds an interface; a typed error if the address is taken. */
  attach(domain: Domain, address: string, receive: FrameHandler): NetInterface {
    if (this.#byAddress.has(address)) throw new GuestRequestError(domain.name, 'attach interface', `address ${address} is already in use`);
    const iface: NetInterface = { index: this.#byIndex.length, domain, address, receive };
    this.#byIndex.push(iface);
    this.#byAddress.set(address, iface);
    return iface;
  }

  /** The sending vCPU's own interface `index`; a typed, counted error otherwise. */
  own(vcpu: Vcpu, index: number): NetInterface {
    const iface = this.#byIndex[index];
    if (iface === undefined || iface.domain !== vcpu.domain || this.#byAddress.get(iface.address) !== iface) {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new GuestRequestError(vcpu.domain.name, 'transmit', `interface ${index} is not one of its own`);
    }
    return iface;
  }

  /** True when some interface here owns `address`. */
  owns(address: string): boolean {
    return this.#byAddress.has(address);
  }

  /** The interface owning `address`, if any. */
  lookup(address: string): NetInterface | undefined {
    return this.#byAddress.get(address);
  }

  /** Hands `frame` to `target`'s owner and counts it. */
  deliver(target: NetInterface, frame: NetFrame): void {
    const counts = target.domain.counts;
    counts[MechanismIndex.PacketReceived] = counts[MechanismIndex.PacketReceived]! + 1;
    target.receive(frame);
  }

  /**
   * A frame for an address no interface here owns: out over the wire when there is one
   * (returns true), otherwise counted as dropped against `sender` (returns false).
   */
  forwardOrDrop(sender: Domain, frame: NetFrame, now: number): boolean {
    if (this.uplink !== undefined) {
      this.uplink(frame, now);
      return true;
    }
    this.dropped++;
    sender.counts[MechanismIndex.PacketDropped] = sender.counts[MechanismIndex.PacketDropped]! + 1;
    return false;
  }

  /** Counts a frame that arrived from the wire for an address nobody here owns. */
  dropArrival(): void {
    this.dropped++;
  }

  /**
   * A frame off the wire, for kernels that drive the NIC themselves (native, containers):
   * the owner's kernel owes the NIC's interrupt and receive path, then gets the frame.
   */
  receiveFromNic(frame: NetFrame, profile: MachineProfile): void {
    const target = this.lookup(frame.destination);
    if (target === undefined) return this.dropArrival();
    oweNicReceive(target.domain, profile);
    this.deliver(target, frame);
  }

  /** Counts a dropped frame against `vcpu`'s domain. */
  drop(vcpu: Vcpu): void {
    this.dropped++;
    vcpu.count(MechanismIndex.PacketDropped);
  }

  /** Forgets a destroyed domain's interfaces. */
  detach(domain: Domain): void {
    for (const [address, iface] of this.#byAddress) if (iface.domain === domain) this.#byAddress.delete(address);
  }
}
