import test from 'ava';
import fc from 'fast-check';
import { Tlb } from '../../src/memory/tlb.js';

/**
 * The TLB as it is specified: round-robin replacement per set, every look-up a scan of the
 * set's ways. A wide TLB finds entries through a hash index instead; it must hold the same
 * entries in the same slots after any sequence of operations.
 */
class ScannedTlb {
  readonly sets: number;
  readonly ways: number;
  readonly tags: number[];
  readonly asids: number[];
  readonly values: number[];
  readonly victim: number[];
  constructor(entries: number, ways: number) {
    const w = Math.max(1, Math.min(ways, entries));
    let sets = 1;
    while (sets * 2 * w <= entries) sets *= 2;
    this.sets = sets;
    this.ways = w;
    this.tags = Array.from({ length: sets * w }, () => -1);
    this.asids = Array.from({ length: sets * w }, () => 0);
    this.values = Array.from({ length: sets * w }, () => 0);
    this.victim = Array.from({ length: sets }, () => 0);
  }
  #slot(asid: number, vpn: number): number {
    const base = (vpn & (this.sets - 1)) * this.ways;
    for (let i = base; i < base + this.ways; i++) if (this.tags[i] === vpn && this.asids[i] === asid) return i;
    return -1;
  }
  lookup(asid: number, vpn: number): number {
    if (!(vpn >= 0)) return -1;
    const i = this.#slot(asid, vpn);
    return i < 0 ? -1 : this.values[i]!;
  }
  insert(asid: number, vpn: number, value: number): void {
    if (!(vpn >= 0)) return;
    const i = this.#slot(asid, vpn);
    if (i >= 0) {
      this.values[i] = value;
      return;
    }
    const set = vpn & (this.sets - 1);
    const v = this.victim[set]!;
    this.victim[set] = (v + 1) % this.ways;
    const slot = set * this.ways + v;
    this.tags[slot] = vpn;
    this.asids[slot] = asid;
    this.values[slot] = value;
  }
  invalidate(asid: number, vpn: number): void {
    const base = (vpn & (this.sets - 1)) * this.ways;
    for (let i = base; i < base + this.ways; i++) if (this.tags[i] === vpn && this.asids[i] === asid) this.tags[i] = -1;
  }
  invalidateAsidRange(low: number, high: number, vpn: number): void {
    const base = (vpn & (this.sets - 1)) * this.ways;
    for (let i = base; i < base + this.ways; i++) if (this.tags[i] === vpn && this.asids[i]! >= low && this.asids[i]! <= high) this.tags[i] = -1;
  }
  flushAsid(asid: number): void {
    for (let i = 0; i < this.tags.length; i++) if (this.tags[i]! >= 0 && this.asids[i] === asid) this.tags[i] = -1;
  }
  flushAsidRange(low: number, high: number): void {
    for (let i = 0; i < this.tags.length; i++) if (this.tags[i]! >= 0 && this.asids[i]! >= low && this.asids[i]! <= high) this.tags[i] = -1;
  }
  flushAll(): void {
    this.tags.fill(-1);
  }
  entries(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.tags.length; i++) if (this.tags[i]! >= 0) out.push(`${i}:${this.asids[i]}:${this.tags[i]}:${this.values[i]}`);
    return out;
  }
}

// Few pages and tags, so that sequences refill, collide in buckets and evict often; pages
// beyond 2^32 exercise the index's hash of the high bits.
const vpn = fc.oneof(
  fc.integer({ min: -2, max: 40 }),
  fc.integer({ min: 0, max: 3 }).map((k) => 2 ** 32 + k * 64),
);
const asid = fc.integer({ min: 0, max: 5 });
const op = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constant('insert' as const), asid, vpn, fc.integer({ min: 0, max: 1e6 })) },
  { weight: 6, arbitrary: fc.tuple(fc.constant('lookup' as const), asid, vpn) },
  fc.tuple(fc.constant('invalidate' as const), asid, vpn),
  fc.tuple(fc.constant('invalidateAsidRange' as const), asid, asid, vpn),
  fc.tuple(fc.constant('flushAsid' as const), asid),
  fc.tuple(fc.constant('flushAsidRange' as const), asid, asid),
  fc.tuple(fc.constant('flushAll' as const)),
);

test('a TLB holds the entries a set-by-set scan would hold, in the same slots, whatever its associativity', (t) => {
  fc.assert(
    fc.property(
      fc.constantFrom([64, 64], [16, 16], [32, 4], [64, 16], [2048, 16], [8, 1]),
      fc.array(op, { minLength: 100, maxLength: 400 }),
      ([entries, ways], ops) => {
        const tlb = new Tlb(entries!, ways!);
        const model = new ScannedTlb(entries!, ways!);
        for (const o of ops) {
          switch (o[0]) {
            case 'insert':
              tlb.insert(o[1], o[2], o[3]);
              model.insert(o[1], o[2], o[3]);
              break;
            case 'lookup':
              if (tlb.lookup(o[1], o[2]) !== model.lookup(o[1], o[2])) return false;
              break;
            case 'invalidate':
              tlb.invalidate(o[1], o[2]);
              model.invalidate(o[1], o[2]);
              break;
            case 'invalidateAsidRange':
              tlb.invalidateAsidRange(o[1], o[2], o[3]);
              model.invalidateAsidRange(o[1], o[2], o[3]);
              break;
            case 'flushAsid':
              tlb.flushAsid(o[1]);
              model.flushAsid(o[1]);
              break;
            case 'flushAsidRange':
              tlb.flushAsidRange(o[1], o[2]);
              model.flushAsidRange(o[1], o[2]);
              break;
            case 'flushAll':
              tlb.flushAll();
              model.flushAll();
              break;
          }
        }
        const held: string[] = [];
        tlb.forEachEntry((slot, tag, page, value) => held.push(`${slot}:${tag}:${page}:${value}`));
        t.deepEqual(held, model.entries());
        // Every held entry is found again (the index still reaches each one).
        for (const e of model.entries()) {
          const [, a, p, v] = e.split(':').map(Number);
          if (tlb.lookup(a!, p!) !== v) return false;
        }
        return true;
      },
    ),
    { numRuns: 300 },
  );
});
