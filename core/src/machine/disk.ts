import type { MachineRecorder } from '../recorder/machine-recorder.js';
import type { Simulator } from '../sim/simulator.js';
import type { DiskProfile } from './machine-profile.js';

/**
 * Who a request is for: a domain id and its share weight (fair queueing between owners).
 *
 * @public
 */
export interface DiskOwner {
  readonly id: number;
  readonly weight: number;
}

/** Disk time an owner keeps while it has requests queued, before another owner's turn. */
const OWNER_SLICE_NS = 20e6;

/** Bytes per sector. */
const SECTOR = 512;
/** What {@link Disk.peek} shows of a never-written sector (never handed out for writing). */
const ZERO_SECTOR = new Uint8Array(SECTOR);

/**
 * A physical disk: a request queue served one at a time — owners (domains, contexts) in turns
 * weighted by their share, each turn in elevator order — with service time from the
 * profile (rotating: seek scaled by distance + half a rotation + transfer; flash: fixed
 * latency + transfer), and sparse contents so data written reads back.
 *
 * @public
 */
export class Disk {
  readonly sectors: number;
  /** Machine recorder watching this disk (undefined: not recording). */
  recorder: MachineRecorder | undefined = undefined;
  readonly #blocks = new Map<number, Uint8Array>();
  #busyUntil = 0;
  #head = 0;
  /** Requests waiting, and whether one is being served. */
  readonly #queue: { sector: number; count: number; done: () => void; owner: number; weight: number }[] = [];
  #serving = false;
  /** Weighted service (ns / weight) each owner has had, and the latest served owner's. */
  readonly #service = new Map<number, number>();
  #virtualTime = 0;
  /** The owner being served in turn, and the service it has had this turn. */
  #turnOwner = -1;
  #turnNs = 0;
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
  submit(sector: number, count: number, done: () => void, owner?: DiskOwner): number {
    if (this.recorder !== undefined) this.recorder.onDiskSubmit(owner?.id ?? -1, sector, count);
    this.requests++;
    this.bytes += count * SECTOR;
    if (owner !== undefined && !this.#queue.some((r) => r.owner === owner.id)) {
      // An owner that was idle starts level with the others (no credit for idling).
      this.#service.set(owner.id, Math.max(this.#service.get(owner.id) ?? 0, this.#virtualTime));
    }
    this.#queue.push({ sector, count, done, owner: owner?.id ?? -1, weight: owner?.weight ?? 1 });
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
    // Fair queueing between owners: serve the owner with the least weighted service so far,
    // so each domain or context gets disk time in proportion to its weight.
    let owner = q[0]!.owner;
    let mixed = false;
    for (const r of q) if (r.owner !== owner) mixed = true;
    if (mixed && this.#turnNs < OWNER_SLICE_NS && q.some((r) => r.owner === this.#turnOwner)) {
      // The owner whose turn it is keeps the disk for a slice (CFQ's time slice): switching
      // owners on every request would cost a seek each time.
      owner = this.#turnOwner;
    } else if (mixed) {
      let least = Number.POSITIVE_INFINITY;
      for (const r of q) {
        const v = this.#service.get(r.owner) ?? 0;
        if (v < least) {
          least = v;
          owner = r.owner;
        }
      }
    }
    // C-SCAN within it: the nearest request at or beyond the head, else the lowest one.
    let pick = -1;
    let lowest = -1;
    for (let i = 0; i < q.length; i++) {
      if (mixed && q[i]!.owner !== owner) continue;
      if (lowest < 0) lowest = i;
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
    if (r.owner !== this.#turnOwner) {
      this.#turnOwner = r.owner;
      this.#turnNs = 0;
    }
    this.#turnNs += service;
    if (r.owner >= 0) {
      const v = (this.#service.get(r.owner) ?? 0) + service / r.weight;
      this.#service.set(r.owner, v);
      this.#virtualTime = v;
    }
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

  /**
   * Sector contents without a copy, for a transfer that only reads them (a DMA into memory):
   * the disk's own buffer, or one shared zero sector if never written. Must not be modified.
   */
  peek(sector: number): Uint8Array {
    return this.#blocks.get(sector) ?? ZERO_SECTOR;
  }

  /** Writes sector contents. */
  write(sector: number, data: Uint8Array): void {
    this.#blocks.set(sector, data.slice(0, SECTOR));
  }
}
