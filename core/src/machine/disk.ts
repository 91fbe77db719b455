import type { Simulator } from '../sim/simulator.js';
import type { DiskProfile } from './machine-profile.js';

/** Bytes per sector. */
const SECTOR = 512;

/**
 * A physical disk: a request queue served one at a time in elevator order, with service time from the
 * profile (rotating: seek scaled by distance + half a rotation + transfer; flash: fixed
 * latency + transfer), and sparse contents so data written reads back.
 */
export class Disk {
  readonly sectors: number;
  readonly #blocks = new Map<number, Uint8Array>();
  #busyUntil = 0;
  #head = 0;
  /** Requests waiting, and whether one is being served. */
  readonly #queue: { sector: number; count: number; done: () => void }[] = [];
  #serving = false;
  /** Requests served. */
  requests = 0;
  /** Bytes transferred. */
  bytes = 0;
  /** Nanoseconds spent serving requests. */
  busyNs = 0;

  constructor(
    readonly profile: DiskProfile,
    readonly sim: Simulator,
  ) {
    this.sectors = Math.floor((profile.capacityGiB * 1024 * 1024 * 1024) / SECTOR);
  }

  /** Service time of a request at `sector` for `count` sectors, given the head position. */
  serviceTimeNs(sector: number, count: number): number {
    const p = this.profile;
    const transfer = ((count * SECTOR) / (p.transferMBps * 1e6)) * 1e9;
    if (p.kind === 'flash') return p.requestLatencyUs * 1000 + transfer;
    const sequential = sector === this.#head;
    if (sequential) return transfer + p.requestLatencyUs * 1000;
    // Seek time grows with the square root of distance (short seeks are dominated by settle time).
    const distance = Math.abs(sector - this.#head) / this.sectors;
    const seek = p.averageSeekMs * 1e6 * Math.min(1, 0.3 + 0.7 * Math.sqrt(distance / 0.33));
    const halfRotation = (60 / p.rpm / 2) * 1e9;
    return seek + halfRotation + transfer + p.requestLatencyUs * 1000;
  }

  /**
   * Queues a transfer; `done` runs when it completes. Queued requests are served in C-SCAN
   * order (the head sweeps up through the queue, then returns to the lowest request): the
   * elevator of the OS and the drive together. Returns when this request would complete if
   * nothing else arrived before it (an estimate: the elevator may serve it sooner or later).
   */
  submit(sector: number, count: number, done: () => void): number {
    this.requests++;
    this.bytes += count * SECTOR;
    this.#queue.push({ sector, count, done });
    if (!this.#serving) this.#serveNext();
    return Math.max(this.sim.now, this.#busyUntil) + Math.ceil(this.serviceTimeNs(sector, count));
  }

  /** Requests waiting for the head (not yet being served). */
  get queued(): number {
    return this.#queue.length;
  }

  #serveNext(): void {
    const q = this.#queue;
    if (q.length === 0) {
      this.#serving = false;
      return;
    }
    // C-SCAN: the nearest request at or beyond the head, else the lowest one.
    let pick = -1;
    let lowest = 0;
    for (let i = 0; i < q.length; i++) {
      const s = q[i]!.sector;
      if (s < q[lowest]!.sector) lowest = i;
      if (s >= this.#head && (pick < 0 || s < q[pick]!.sector)) pick = i;
    }
    if (pick < 0) pick = lowest;
    const r = q[pick]!;
    q[pick] = q[q.length - 1]!;
    q.pop();
    this.#serving = true;
    const service = Math.ceil(this.serviceTimeNs(r.sector, r.count));
    const start = Math.max(this.sim.now, this.#busyUntil);
    this.#busyUntil = start + service;
    this.#head = r.sector + r.count;
    this.busyNs += service;
    this.sim.scheduleAt(this.#busyUntil, () => {
      r.done();
      this.#serveNext();
    });
  }

  /** Time the queue drains. */
  get busyUntil(): number {
    return this.#busyUntil;
  }

  /** Reads sector contents (zeros if never written). */
  read(sector: number): Uint8Array {
    return this.#blocks.get(sector) ?? new Uint8Array(SECTOR);
  }

  /** Writes sector contents. */
  write(sector: number, data: Uint8Array): void {
    this.#blocks.set(sector, data.slice(0, SECTOR));
  }
}
