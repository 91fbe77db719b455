import { HYPERVISOR_OWNER, NO_OWNER, type PhysicalMemory } from '../machine/physical-memory.js';
import type { Tlb } from '../memory/tlb.js';
import type { Simulator } from '../sim/simulator.js';
import {
  NO_ACTOR,
  type DiskRecord,
  type DmaRecord,
  type FrameAccessKind,
  type FrameAccessRecord,
  type OwnershipRecord,
  type PartitionRecord,
  type RunRecord,
  type TimerRecord,
  type TlbEventKind,
  type TlbLeak,
  type TlbRecord,
  type WireRecord,
} from './recorder-records.js';

/**
 * What a {@link MachineRecorder} keeps (all on by default; the online checks run regardless).
 *
 * @public
 */
export interface RecorderOptions {
  /** Every frame access (reads, writes, zero, copy, DMA). Default true. */
  readonly accesses?: boolean;
  /** Every TLB insert, hit, invalidation and flush. Default true. */
  readonly tlb?: boolean;
  /** Stop appending to a record list once it holds this many (its `truncated` flag is set). Default 1,000,000. */
  readonly limit?: number;
}

/**
 * What the machine really did, independent of any plugin's answers: which machine frames each
 * domain's activity read, walked, wrote and DMA'd (and who owned them at that instant), what
 * each pCPU's TLB held and for whom, what each pCPU ran and when, which frames crossed which
 * wire, which disk sectors were queued for whom, which alarms fired for whom.
 *
 * Core calls the hooks (`onXxx`) from the machine's hardware models — RAM, TLBs, the CPU
 * runner, disks, links — and only when a recorder is installed ({@link Machine.record}); with
 * none, each hook site is a single `undefined` check, so recording costs nothing when off.
 *
 * Attribution: the recorder's {@link actor} is the domain whose activity is under way. The
 * CPU runner sets it for the length of each burst; a tool driving an extension point directly
 * (the conformance kit, a fuzzer) sets it with {@link as}. A disk transfer is attributed to
 * the domain whose partition holds its first sector. Work a burst does on another domain's
 * behalf (a loopback delivery running the receiver's handler inline) is the burst's domain's.
 *
 * Two checks run online and are always kept, however long the run: {@link foreign} (a frame
 * touched during one domain's activity while owned by another domain or by nobody) and
 * {@link tlbLeaks} (a TLB entry filled during one domain's activity and hit during another's).
 *
 * @public
 */
export class MachineRecorder {
  /** Domain whose activity is under way ({@link NO_ACTOR}: none). */
  actor = NO_ACTOR;
  readonly accesses: FrameAccessRecord[] = [];
  readonly ownership: OwnershipRecord[] = [];
  readonly tlb: TlbRecord[] = [];
  readonly runs: RunRecord[] = [];
  readonly wire: WireRecord[] = [];
  readonly disk: DiskRecord[] = [];
  readonly dmas: DmaRecord[] = [];
  readonly partitions: PartitionRecord[] = [];
  readonly timers: TimerRecord[] = [];
  /** Accesses to a frame owned by neither the acting domain nor the hypervisor. */
  readonly foreign: FrameAccessRecord[] = [];
  /** TLB entries used across domains. */
  readonly tlbLeaks: TlbLeak[] = [];
  /** True when a record list reached the limit and stopped growing. */
  truncated = false;
  readonly #limit: number;
  readonly #keepAccesses: boolean;
  readonly #keepTlb: boolean;
  /** Per TLB: the domain whose activity filled each slot. */
  readonly #filledBy = new Map<Tlb, Int32Array>();
  #openRun = -1;
  /** Domain whose device transfer is under way, if one is. */
  #dma: number | undefined = undefined;

  constructor(
    readonly sim: Simulator,
    readonly memory: PhysicalMemory,
    options: RecorderOptions = {},
  ) {
    this.#limit = options.limit ?? 1_000_000;
    this.#keepAccesses = options.accesses ?? true;
    this.#keepTlb = options.tlb ?? true;
  }

  /** Runs `action` as part of domain `domainId`'s activity (restores the previous actor after). */
  as<T>(domainId: number, action: () => T): T {
    const previous = this.actor;
    this.actor = domainId;
    try {
      return action();
    } finally {
      this.actor = previous;
    }
  }

  /** Forgets every record (the online checks too); the actor is kept. */
  clear(): void {
    for (const list of [this.accesses, this.ownership, this.tlb, this.runs, this.wire, this.disk, this.dmas, this.timers, this.foreign, this.tlbLeaks])
      list.length = 0;
    this.truncated = false;
  }

  // ---- queries -------------------------------------------------------------------------

  /** Machine frames touched during `domainId`'s activity (or DMA'd for it), by kind or all. */
  framesTouchedBy(domainId: number, kinds?: readonly FrameAccessKind[]): Set<number> {
    const out = new Set<number>();
    for (const a of this.accesses) if (a.actor === domainId && (kinds === undefined || kinds.includes(a.kind))) out.add(a.frame);
    return out;
  }

  /** Nanoseconds the runner gave `domainId`'s vCPUs in bursts that started in [from, to). */
  runTimeOf(domainId: number, from = 0, to = Number.POSITIVE_INFINITY): number {
    let ns = 0;
    for (const r of this.runs) if (r.domain === domainId && r.start >= from && r.start < to) ns += r.durationNs;
    return ns;
  }

  /** What one pCPU's TLB holds now: tag, page, value and the domain whose activity filled it. */
  tlbContents(tlb: Tlb): { tag: number; page: number; value: number; insertedBy: number }[] {
    const filled = this.#filledBy.get(tlb);
    const out: { tag: number; page: number; value: number; insertedBy: number }[] = [];
    tlb.forEachEntry((slot, tag, page, value) => out.push({ tag, page, value, insertedBy: filled?.[slot] ?? NO_ACTOR }));
    return out;
  }

  // ---- hooks (called by core's hardware models) ----------------------------------------

  /** RAM: a frame was touched by the processor (hook of PhysicalMemory). */
  onFrameAccess(kind: FrameAccessKind, frame: number): void {
    const dma = this.#dma;
    if (dma !== undefined) this.#access(kind === 'read' ? 'dma-read' : 'dma-write', frame, dma);
    else this.#access(kind, frame, this.actor);
  }

  /** RAM: a frame changed owner. */
  onOwnerChange(frame: number, from: number, to: number): void {
    this.#push(this.ownership, { time: this.sim.now, frame, from, to });
  }

  /**
   * Disk: a device transfer for `domainId`'s partition begins; until {@link onDmaEnd}, RAM
   * reads and writes are that device's DMA, attributed to that domain.
   */
  onDmaStart(operation: 'read' | 'write', domainId: number, firstSector: number, frames: readonly number[]): void {
    this.#push(this.dmas, { time: this.sim.now, operation, domain: domainId, firstSector, sectors: frames.length * 8, frames: [...frames] });
    this.#dma = domainId;
  }

  /** Disk: the transfer ended. */
  onDmaEnd(): void {
    this.#dma = undefined;
  }

  /** Disk: a partition was handed out. */
  onPartition(domainId: number, start: number, sectors: number): void {
    this.partitions.push({ domain: domainId, start, sectors });
  }

  /** Disk: a transfer was queued for `owner`. */
  onDiskSubmit(owner: number, sector: number, count: number): void {
    this.#push(this.disk, { time: this.sim.now, owner, sector, count });
  }

  /** The domain whose partition holds physical `sector` (or {@link NO_ACTOR}). */
  partitionOwner(sector: number): number {
    for (const p of this.partitions) if (sector >= p.start && sector < p.start + p.sectors) return p.domain;
    return NO_ACTOR;
  }

  /** TLB: an entry was filled in `slot`. */
  onTlbInsert(tlb: Tlb, slot: number, tag: number, page: number, value: number): void {
    this.#slots(tlb)[slot] = this.actor;
    if (this.#keepTlb)
      this.#push(this.tlb, { time: this.sim.now, pcpu: tlb.pcpu, kind: 'insert', tag, page, value, actor: this.actor, insertedBy: this.actor });
  }

  /** TLB: a lookup hit `slot`. */
  onTlbHit(tlb: Tlb, slot: number, tag: number, page: number, value: number): void {
    const by = this.#slots(tlb)[slot]!;
    const actor = this.actor;
    if (by !== NO_ACTOR && actor !== NO_ACTOR && by !== actor)
      this.tlbLeaks.push({ time: this.sim.now, pcpu: tlb.pcpu, tag, page, insertedBy: by, usedBy: actor });
    if (this.#keepTlb) this.#push(this.tlb, { time: this.sim.now, pcpu: tlb.pcpu, kind: 'hit', tag, page, value, actor, insertedBy: by });
  }

  /** TLB: entries were dropped (one page, one tag or all). */
  onTlbDrop(tlb: Tlb, kind: Exclude<TlbEventKind, 'insert' | 'hit'>, tag: number, page: number): void {
    if (this.#keepTlb) this.#push(this.tlb, { time: this.sim.now, pcpu: tlb.pcpu, kind, tag, page, value: -1, actor: this.actor, insertedBy: NO_ACTOR });
  }

  /** CPU runner: a burst starts on `pcpu`; returns the actor to hand back to {@link onBurstEnd}. */
  onBurstStart(pcpu: number, domainId: number, vcpu: number, start: number): number {
    this.#openRun = this.runs.length < this.#limit ? this.runs.length : -1;
    this.#push(this.runs, { pcpu, domain: domainId, vcpu, start, durationNs: 0 });
    const previous = this.actor;
    this.actor = domainId;
    return previous;
  }

  /** CPU runner: the burst's program returned after `durationNs` of simulated time. */
  onBurstEnd(previousActor: number, durationNs: number): void {
    this.actor = previousActor;
    const open = this.#openRun;
    if (open >= 0 && open < this.runs.length) this.runs[open] = { ...this.runs[open]!, durationNs };
    this.#openRun = -1;
  }

  /** Wire: a frame left this machine for a switch, or arrived from one. */
  onWire(direction: 'out' | 'in', source: string, destination: string, bytes: number): void {
    this.#push(this.wire, { time: this.sim.now, direction, source, destination, bytes });
  }

  /** Time: an alarm fired for `domainId`. */
  onTimer(domainId: number, clock: 'real' | 'virtual', deadline: number): void {
    this.#push(this.timers, { time: this.sim.now, domain: domainId, clock, deadline });
  }

  #access(kind: FrameAccessKind, frame: number, actor: number): void {
    const owner = this.memory.ownerOf(frame);
    const record: FrameAccessRecord = { time: this.sim.now, kind, frame, actor, owner };
    if (actor !== NO_ACTOR && owner !== actor && owner !== HYPERVISOR_OWNER && (owner !== NO_OWNER || kind !== 'read')) {
      // Reading a free frame is harmless (it reads as zeros); writing one, or touching another domain's, is not.
      this.foreign.push(record);
    }
    if (this.#keepAccesses) this.#push(this.accesses, record);
  }

  #slots(tlb: Tlb): Int32Array {
    let slots = this.#filledBy.get(tlb);
    if (slots === undefined) {
      slots = new Int32Array(tlb.entries).fill(NO_ACTOR);
      this.#filledBy.set(tlb, slots);
    }
    return slots;
  }

  #push<T>(list: T[], record: T): void {
    if (list.length < this.#limit) list.push(record);
    else this.truncated = true;
  }
}
