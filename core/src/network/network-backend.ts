import type { DomainObserver } from '../domain/domain-observer.js';
import type { Domain } from '../domain/domain.js';
import type { Vcpu } from '../domain/vcpu.js';

/**
 * Token for the {@link NetworkBackend} extension point.
 *
 * @public
 */
export const NetworkBackend = Symbol.for('visorkit.NetworkBackend');

/**
 * A network frame as the simulator moves it. Payload bytes are optional (sizes drive costs).
 *
 * @public
 */
export interface NetFrame {
  /** Source address (an IPv4-like dotted string). */
  readonly source: string;
  /** Destination address. */
  readonly destination: string;
  /** Bytes on the wire (headers included). */
  readonly bytes: number;
  /** Transport-level data the receiver's stack interprets (segments, acks). */
  readonly data?: unknown;
  /**
   * Guest frames holding the frame's bytes (scatter-gather DMA buffers). Devices that DMA
   * check them against the sender's memory (an IOMMU, Xen's grant checks).
   */
  readonly buffers?: readonly number[];
}

/**
 * Carries a frame that left this machine's NIC at `now` (ns) to the other end of a wire.
 *
 * @public
 */
export type Uplink = (frame: NetFrame, now: number) => void;

/**
 * Receives frames for one interface.
 *
 * @public
 */
export type FrameHandler = (frame: NetFrame) => void;

/**
 * A domain's network interfaces: native drives the NIC; Xen PV uses a transmit and a receive
 * ring per interface and a virtual firewall-router in the hypervisor; SR-IOV assigns a
 * virtual function. A frame is either delivered to the interface owning its destination
 * address or counted as dropped; never delivered to another domain.
 *
 * @public
 */
export interface NetworkBackend extends DomainObserver {
  /** Gives `domain` an interface with `address`; returns its interface number. */
  attachInterface(domain: Domain, address: string, receive: FrameHandler): number;
  /** Sends a frame from `vcpu`'s domain on interface `iface` (charged for the send path). */
  transmit(vcpu: Vcpu, iface: number, frame: NetFrame): void;
  /** Frames dropped so far (filters, spoofing, full rings, unknown destinations). */
  readonly dropped: number;
  /**
   * Connects this machine's NIC to a wire (see `connectMachines`): frames for addresses no
   * local interface owns leave through `uplink` instead of being dropped.
   */
  connectUplink?(uplink: Uplink): void;
  /**
   * A frame from the wire reached this machine's NIC: deliver it to the interface owning its
   * destination through the platform's receive path (or count it dropped).
   */
  receiveFromWire?(frame: NetFrame): void;
  /** True when an interface on this machine owns `address` (a switch's forwarding lookup). */
  owns?(address: string): boolean;
}
