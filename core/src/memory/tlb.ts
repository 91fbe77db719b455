import type { MachineRecorder } from '../recorder/machine-recorder.js';

/** Sets wider than this many ways are found through a hash index rather than scanned. */
const INDEXED_WAYS = 8;

/**
 * A set-associative TLB. Entries are tagged with an address-space id (unique per domain
 * and address space: plugins fold the domain id in) so that a tagged TLB
 * (VPID/ASID, PCID) survives switches; an untagged TLB is flushed on every switch by its
 * owner calling {@link Tlb.flushAll}. Replacement is round-robin per set: deterministic and
 * close enough to pseudo-LRU for the working sets we model.
 *
 * Hot path: {@link Tlb.lookup} does no allocation; it scans a narrow set's ways, and finds an
 * entry of a wide set (a fully associative TLB) through a hash index kept beside the slots.
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
  /**
   * A hash index over the valid entries, for wide sets (a fully associative 64-entry TLB would
   * otherwise compare every tag on each look-up and again on each refill): bucket heads and
   * per-slot chain links, -1 ending a chain. Undefined for narrow sets, which are scanned.
   */
  readonly #heads: Int32Array | undefined;
  readonly #chain: Int32Array | undefined;
  readonly #bucketMask: number;
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
    let buckets = 1;
    while (buckets < 2 * this.entries) buckets *= 2;
    this.#bucketMask = buckets - 1;
    this.#heads = w > INDEXED_WAYS ? new Int32Array(buckets).fill(-1) : undefined;
    this.#chain = w > INDEXED_WAYS ? new Int32Array(this.entries).fill(-1) : undefined;
  }

  /** The index bucket of (asid, vpn). */
  #bucket(asid: number, vpn: number): number {
    // The page's low and high 32 bits and the tag, mixed (Fibonacci hashing).
    return Math.imul((vpn | 0) ^ ((vpn / 4294967296) | 0) ^ Math.imul(asid, 0x27d4eb2d), 0x9e3779b1) & this.#bucketMask;
  }

  /** The slot holding (asid, vpn), or -1: a chain walk when indexed, else a scan of its set. */
  #find(asid: number, vpn: number): number {
    const tags = this.#tags;
    const asids = this.#asids;
    const heads = this.#heads;
    if (heads !== undefined) {
      const chain = this.#chain!;
      for (let i = heads[this.#bucket(asid, vpn)]!; i >= 0; i = chain[i]!) if (tags[i] === vpn && asids[i] === asid) return i;
      return -1;
    }
    const base = (vpn & (this.#sets - 1)) * this.ways;
    for (let i = base, end = base + this.ways; i < end; i++) if (tags[i] === vpn && asids[i] === asid) return i;
    return -1;
  }

  /** Enters valid slot `slot` (its tag and asid set) in the index. */
  #link(slot: number): void {
    const heads = this.#heads;
    if (heads === undefined) return;
    const b = this.#bucket(this.#asids[slot]!, this.#tags[slot]!);
    this.#chain![slot] = heads[b]!;
    heads[b] = slot;
  }

  /** Takes valid slot `slot` (its tag and asid still set) out of the index. */
  #unlink(slot: number): void {
    const heads = this.#heads;
    if (heads === undefined) return;
    const chain = this.#chain!;
    const b = this.#bucket(this.#asids[slot]!, this.#tags[slot]!);
    let i = heads[b]!;
    if (i === slot) {
      heads[b] = chain[slot]!;
      return;
    }
    while (i >= 0) {
      const next = chain[i]!;
      if (next === slot) {
        chain[i] = chain[slot]!;
        return;
      }
      i = next;
    }
  }

  /** Invalidates valid slot `slot`. */
  #drop(slot: number): void {
    this.#unlink(slot);
    this.#tags[slot] = -1;
  }

  /** The cached leaf entry for (asid, vpn), or -1 on a miss. */
  lookup(asid: number, vpn: number): number {
    // Invalid slots carry the tag -1 (and whatever asid and value they had): a page number that
    // is not a valid tag must miss, or a guest asking for page -1 would read a stale slot.
    if (!(vpn >= 0)) {
      this.misses++;
      return -1;
    }
    const i = this.#find(asid, vpn);
    if (i >= 0) {
      this.hits++;
      if (this.recorder !== undefined) this.recorder.onTlbHit(this, i, asid, vpn, this.#values[i]!);
      return this.#values[i]!;
    }
    this.misses++;
    return -1;
  }

  /** Caches the leaf entry `value` (frame * 4096 + flags) for (asid, vpn). */
  insert(asid: number, vpn: number, value: number): void {
    if (!(vpn >= 0)) return;
    const i = this.#find(asid, vpn);
    if (i >= 0) {
      this.#values[i] = value;
      if (this.recorder !== undefined) this.recorder.onTlbInsert(this, i, asid, vpn, value);
      return;
    }
    const set = vpn & (this.#sets - 1);
    const victim = this.#victim[set]!;
    this.#victim[set] = (victim + 1) % this.ways;
    const slot = set * this.ways + victim;
    if (this.#tags[slot]! >= 0) this.#unlink(slot);
    this.#tags[slot] = vpn;
    this.#asids[slot] = asid;
    this.#values[slot] = value;
    this.#link(slot);
    if (this.recorder !== undefined) this.recorder.onTlbInsert(this, slot, asid, vpn, value);
  }

  /** Drops the entry for (asid, vpn) if present (invlpg). */
  invalidate(asid: number, vpn: number): void {
    // A valid page (vpn >= 0) is in at most one slot: insert updates an entry it already holds.
    const i = vpn >= 0 ? this.#find(asid, vpn) : -1;
    if (i >= 0) this.#drop(i);
    if (this.recorder !== undefined) this.recorder.onTlbDrop(this, 'invalidate', asid, vpn);
  }

  /** Drops the entry for `vpn` in every address-space id in [lowAsid, highAsid]. */
  invalidateAsidRange(lowAsid: number, highAsid: number, vpn: number): void {
    const base = (vpn & (this.#sets - 1)) * this.ways;
    for (let i = base, end = base + this.ways; i < end; i++) {
      const a = this.#asids[i]!;
      if (vpn >= 0 && this.#tags[i] === vpn && a >= lowAsid && a <= highAsid) this.#drop(i);
    }
    if (this.recorder !== undefined) this.recorder.onTlbDrop(this, 'invalidate', lowAsid, vpn);
  }

  /** Drops every entry of one address-space id. */
  flushAsid(asid: number): void {
    const tags = this.#tags;
    for (let i = 0; i < tags.length; i++) if (tags[i]! >= 0 && this.#asids[i] === asid) this.#drop(i);
    this.flushes++;
    if (this.recorder !== undefined) this.recorder.onTlbDrop(this, 'flush-tag', asid, -1);
  }

  /** Drops every entry whose address-space id is in [lowAsid, highAsid]. */
  flushAsidRange(lowAsid: number, highAsid: number): void {
    const tags = this.#tags;
    for (let i = 0; i < tags.length; i++) {
      const a = this.#asids[i]!;
      if (tags[i]! >= 0 && a >= lowAsid && a <= highAsid) this.#drop(i);
    }
    this.flushes++;
    if (this.recorder !== undefined) this.recorder.onTlbDrop(this, 'flush-tag', lowAsid, -1);
  }

  /** Drops every entry. */
  flushAll(): void {
    this.#tags.fill(-1);
    this.#heads?.fill(-1);
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
