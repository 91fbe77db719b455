import type { MachineRecorder } from '../recorder/machine-recorder.js';

/**
 * A set-associative TLB. Entries are tagged with an address-space id (unique per domain
 * and address space: plugins fold the domain id in) so that a tagged TLB
 * (VPID/ASID, PCID) survives switches; an untagged TLB is flushed on every switch by its
 * owner calling {@link Tlb.flushAll}. Replacement is round-robin per set: deterministic and
 * close enough to pseudo-LRU for the working sets we model.
 *
 * Hot path: {@link Tlb.lookup} does no allocation and touches two typed arrays.
 *
 * @public
 */
export class Tlb {
  /** Total entries. */
  readonly entries: number;
  /** Ways per set. */
  readonly ways: number;
  readonly #sets: number;
  /** Virtual page number per entry (-1: invalid). */
  readonly #tags: Float64Array;
  /** Address-space id per entry. */
  readonly #asids: Int32Array;
  readonly #values: Float64Array;
  readonly #victim: Uint8Array;
  /** Lookups that hit. */
  hits = 0;
  /** Lookups that missed. */
  misses = 0;
  /** Whole-TLB flushes. */
  flushes = 0;
  /** Machine recorder watching this TLB (undefined: not recording, the hooks cost one check). */
  recorder: MachineRecorder | undefined = undefined;

  /**
   * @param entries total entries (rounded to a power-of-two number of sets) @param ways associativity
   * @param pcpu the pCPU this TLB belongs to (-1: a cache of a plugin's own, not a pCPU's TLB)
   */
  constructor(
    entries: number,
    ways: number,
    readonly pcpu = -1,
  ) {
    const w = Math.max(1, Math.min(ways, entries));
    let sets = 1;
    while (sets * 2 * w <= entries) sets *= 2;
    this.#sets = sets;
    this.ways = w;
    this.entries = sets * w;
    this.#tags = new Float64Array(this.entries).fill(-1);
    this.#asids = new Int32Array(this.entries);
    this.#values = new Float64Array(this.entries);
    this.#victim = new Uint8Array(sets);
  }

  /** The cached leaf entry for (asid, vpn), or -1 on a miss. */
  lookup(asid: number, vpn: number): number {
    // Invalid slots carry the tag -1 (and whatever asid and value they had): a page number that
    // is not a valid tag must miss, or a guest asking for page -1 would read a stale slot.
    if (!(vpn >= 0)) {
      this.misses++;
      return -1;
    }
    const base = (vpn & (this.#sets - 1)) * this.ways;
    const tags = this.#tags;
    const asids = this.#asids;
    for (let i = base, end = base + this.ways; i < end; i++) {
      if (tags[i] === vpn && asids[i] === asid) {
        this.hits++;
        if (this.recorder !== undefined) this.recorder.onTlbHit(this, i, asid, vpn, this.#values[i]!);
        return this.#values[i]!;
      }
    }
    this.misses++;
    return -1;
  }

  /** Caches the leaf entry `value` (frame * 4096 + flags) for (asid, vpn). */
  insert(asid: number, vpn: number, value: number): void {
    if (!(vpn >= 0)) return;
    const set = vpn & (this.#sets - 1);
    const base = set * this.ways;
    for (let i = base, end = base + this.ways; i < end; i++) {
      if (this.#tags[i] === vpn && this.#asids[i] === asid) {
        this.#values[i] = value;
        if (this.recorder !== undefined) this.recorder.onTlbInsert(this, i, asid, vpn, value);
        return;
      }
    }
    const victim = this.#victim[set]!;
    this.#victim[set] = (victim + 1) % this.ways;
    this.#tags[base + victim] = vpn;
    this.#asids[base + victim] = asid;
    this.#values[base + victim] = value;
    if (this.recorder !== undefined) this.recorder.onTlbInsert(this, base + victim, asid, vpn, value);
  }

  /** Drops the entry for (asid, vpn) if present (invlpg). */
  invalidate(asid: number, vpn: number): void {
    const base = (vpn & (this.#sets - 1)) * this.ways;
    for (let i = base, end = base + this.ways; i < end; i++) if (this.#tags[i] === vpn && this.#asids[i] === asid) this.#tags[i] = -1;
    if (this.recorder !== undefined) this.recorder.onTlbDrop(this, 'invalidate', asid, vpn);
  }

  /** Drops the entry for `vpn` in every address-space id in [lowAsid, highAsid]. */
  invalidateAsidRange(lowAsid: number, highAsid: number, vpn: number): void {
    const base = (vpn & (this.#sets - 1)) * this.ways;
    for (let i = base, end = base + this.ways; i < end; i++) {
      const a = this.#asids[i]!;
      if (this.#tags[i] === vpn && a >= lowAsid && a <= highAsid) this.#tags[i] = -1;
    }
    if (this.recorder !== undefined) this.recorder.onTlbDrop(this, 'invalidate', lowAsid, vpn);
  }

  /** Drops every entry of one address-space id. */
  flushAsid(asid: number): void {
    const tags = this.#tags;
    for (let i = 0; i < tags.length; i++) if (tags[i]! >= 0 && this.#asids[i] === asid) tags[i] = -1;
    this.flushes++;
    if (this.recorder !== undefined) this.recorder.onTlbDrop(this, 'flush-tag', asid, -1);
  }

  /** Drops every entry whose address-space id is in [lowAsid, highAsid]. */
  flushAsidRange(lowAsid: number, highAsid: number): void {
    const tags = this.#tags;
    for (let i = 0; i < tags.length; i++) {
      const a = this.#asids[i]!;
      if (tags[i]! >= 0 && a >= lowAsid && a <= highAsid) tags[i] = -1;
    }
    this.flushes++;
    if (this.recorder !== undefined) this.recorder.onTlbDrop(this, 'flush-tag', lowAsid, -1);
  }

  /** Drops every entry. */
  flushAll(): void {
    this.#tags.fill(-1);
    this.flushes++;
    if (this.recorder !== undefined) this.recorder.onTlbDrop(this, 'flush-all', -1, -1);
  }

  /** Visits every valid entry: its slot, tag, virtual page and cached value (for recorders and tests). */
  forEachEntry(visit: (slot: number, tag: number, page: number, value: number) => void): void {
    const tags = this.#tags;
    for (let i = 0; i < tags.length; i++) if (tags[i]! >= 0) visit(i, this.#asids[i]!, tags[i]!, this.#values[i]!);
  }

  /** Number of valid entries (for tests and traces). */
  get occupancy(): number {
    let n = 0;
    for (const t of this.#tags) if (t >= 0) n++;
    return n;
  }
}
