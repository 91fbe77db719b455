import type { Simulator } from '../sim/simulator.js';

/**
 * A one-direction network link (a NIC's transmit side or a cable): frames are serialised at
 * the link's bandwidth, one after another, then arrive after the propagation latency.
 *
 * @public
 */
export class Link {
  #busyUntil = 0;
  /** Frames sent. */
  frames = 0;
  /** Bytes sent. */
  bytes = 0;

  constructor(
    readonly gbps: number,
    readonly latencyNs: number,
    readonly sim: Simulator,
  ) {}

  /** Sends `bytes` starting no earlier than `at` (ns); `arrive` runs on arrival. Returns the arrival time. */
  send(bytes: number, arrive: () => void, at: number = this.sim.now): number {
    const start = Math.max(at, this.#busyUntil, this.sim.now);
    const serialise = Math.ceil((bytes * 8) / this.gbps);
    this.#busyUntil = start + serialise;
    this.frames++;
    this.bytes += bytes;
    const arrival = this.#busyUntil + this.latencyNs;
    this.sim.scheduleAt(arrival, arrive);
    return arrival;
  }

  /** When the link is free again. */
  get busyUntil(): number {
    return this.#busyUntil;
  }
}
