import 'reflect-metadata';
import test from 'ava';
import { GuestRequestError, PTE_PRESENT, PTE_USER, PTE_WRITABLE, createHypervisor, gfn, makePte, server2007, type BlockStatus } from '@visorkit/core';
import { xenPvPlugin } from '../../src/index.js';

// Found by `npm run fuzz -- --plugin xen-pv --seed 2` (#22), three operations: a disk read into
// frame 12, an `mmu_update` writing into untyped frame 12 an entry mapping frame 9, the balloon
// giving frame 9 back — after which frame 12 held an entry reaching a frame no longer the
// domain's. The model counted an untyped frame's entries as leaf references, but the DMA had
// overwritten them uncounted. Xen's rule: only a frame typed as a page table holds
// references; an untyped frame's contents are data, validated whole when it is typed.
function guest() {
  const hv = createHypervisor({ machine: server2007, plugins: [xenPvPlugin] });
  const d = hv.createDomain({ name: 'mallory', memoryMiB: 16 });
  return { hv, d, v: d.vcpus[0]! };
}

const RW = PTE_PRESENT | PTE_WRITABLE | PTE_USER;

function diskRead(hv: ReturnType<typeof guest>['hv'], d: ReturnType<typeof guest>['d'], frames: number[]): BlockStatus[] {
  const disk = hv.block.attachDisk(d, 64);
  const statuses: BlockStatus[] = [];
  hv.block.submit(d.vcpus[0]!, disk, { operation: 'read', sector: 0, frames: frames.map((f) => gfn(f)) }, (s) => statuses.push(s));
  hv.runFor(1e8);
  return statuses;
}

test('the fuzzer’s sequence: an entry in an untyped frame keeps nothing, and the frame cannot become a table once its entry is stale', (t) => {
  const { hv, d, v } = guest();
  const m = hv.memory;
  t.deepEqual(diskRead(hv, d, [12, 4095]), ['ok']);
  m.writePte(v, gfn(12), 0, makePte(9, RW));
  t.notThrows(() => hv.balloon!.releaseFrames(v, [gfn(9)]), 'frame 12 is data: its entry holds no reference on frame 9');
  const violations = hv.counts(d)['privilege-violation'] ?? 0;
  const e = t.throws(() => m.pinPageTable(v, gfn(12), 1), { instanceOf: GuestRequestError });
  t.regex(e.message, /not the domain's/);
  t.is(hv.counts(d)['privilege-violation'], violations + 1);
  m.pinPageTable(v, gfn(30), 2);
  t.throws(() => m.writePte(v, gfn(30), 0, makePte(12, PTE_PRESENT)), { instanceOf: GuestRequestError }, 'nor can an L2 entry type it');
  m.zeroFrame(v, gfn(12));
  t.notThrows(() => m.pinPageTable(v, gfn(12), 1), 'zeroed, it holds nothing to refuse');
});

test('typing a frame as a leaf table validates and counts what it holds; losing the type puts the references back', (t) => {
  const { hv, v } = guest();
  const m = hv.memory;
  m.writePte(v, gfn(12), 0, makePte(9, RW));
  t.notThrows(() => m.pinPageTable(v, gfn(9), 1), 'an untyped frame’s writable entry is no writable mapping');
  m.unpinPageTable(v, gfn(9));
  m.pinPageTable(v, gfn(12), 1);
  t.throws(() => hv.balloon!.releaseFrames(v, [gfn(9)]), { instanceOf: GuestRequestError }, 'typed, frame 12 maps frame 9');
  t.throws(() => m.pinPageTable(v, gfn(9), 1), { instanceOf: GuestRequestError }, 'and maps it writable');
  m.unpinPageTable(v, gfn(12));
  t.notThrows(() => hv.balloon!.releaseFrames(v, [gfn(9)]), 'untyped again, its entry is data');
});

test('a leaf table referenced by an L2 entry is validated when the entry types it, and freed when the entry goes', (t) => {
  const { hv, v } = guest();
  const m = hv.memory;
  m.writePte(v, gfn(12), 3, makePte(9, RW));
  m.pinPageTable(v, gfn(30), 2);
  m.writePte(v, gfn(30), 0, makePte(12, PTE_PRESENT));
  t.throws(() => hv.balloon!.releaseFrames(v, [gfn(9)]), { instanceOf: GuestRequestError });
  m.writePte(v, gfn(30), 0, 0);
  t.notThrows(() => hv.balloon!.releaseFrames(v, [gfn(9)]));
});

test('a disk read may fill an untyped frame but not a typed one, and what it wrote is validated when the frame is typed', (t) => {
  const { hv, d, v } = guest();
  const m = hv.memory;
  m.pinPageTable(v, gfn(12), 1);
  t.deepEqual(diskRead(hv, d, [12]), ['error'], 'a device write grant needs PGT_writable_page');
  m.unpinPageTable(v, gfn(12));
  t.deepEqual(diskRead(hv, d, [12]), ['ok']);
  t.notThrows(() => m.pinPageTable(v, gfn(12), 1), 'an empty sector validates');
});

/** Pins a root and one table per level down to a leaf mapping virtual page 0 to frame 40, and loads it. */
function mapPageZero(hv: ReturnType<typeof guest>['hv'], v: ReturnType<typeof guest>['v']): number[] {
  const m = hv.memory;
  const g = m.geometry;
  const tables = [1];
  m.zeroFrame(v, gfn(1));
  m.pinPageTable(v, gfn(1), g.levels);
  for (let level = g.levels; level > 1; level--) {
    const child = tables.length + 1;
    m.zeroFrame(v, gfn(child));
    m.pinPageTable(v, gfn(child), level - 1);
    m.writePte(v, gfn(tables.at(-1)!), 0, makePte(child, RW));
    tables.push(child);
  }
  m.writePte(v, gfn(tables.at(-1)!), 0, makePte(40, RW));
  hv.cpu.switchAddressSpace(v, gfn(1), 1);
  return tables;
}

function cached(hv: ReturnType<typeof guest>['hv'], v: ReturnType<typeof guest>['v'], vpn: number): boolean {
  return hv.machine.pcpus.some((p) => p.tlb.lookup(v.asid, vpn) >= 0);
}

test('a translation cached from a table that lost its type does not outlive the frame it reached', (t) => {
  const { hv, v } = guest();
  const m = hv.memory;
  const tables = mapPageZero(hv, v);
  t.is(m.translate(v, 0, true) as number, 40);
  t.true(cached(hv, v, 0));
  // The leaf table loses its type: its L2 entry cleared, its pin dropped.
  m.writePte(v, gfn(tables.at(-2)!), 0, 0);
  m.unpinPageTable(v, gfn(tables.at(-1)!));
  t.true(cached(hv, v, 0), 'the guest has not flushed');
  hv.balloon!.releaseFrames(v, [gfn(40)]);
  t.false(cached(hv, v, 0), 'the cached translation went with the frame');
});

test('a base unpinned while loaded is data: a walk from it faults', (t) => {
  const { hv, v } = guest();
  const m = hv.memory;
  const tables = mapPageZero(hv, v);
  t.is(m.translate(v, 0, true) as number, 40);
  // Leaf first: each stays typed by its parent's entry until the root's pin goes, then all do.
  for (const table of tables.toReversed()) m.unpinPageTable(v, gfn(table));
  m.flushTlb(v);
  t.true(m.translate(v, 0, false) < 0);
  t.notThrows(() => hv.balloon!.releaseFrames(v, [gfn(40)]), 'no typed table maps frame 40 any more');
});
