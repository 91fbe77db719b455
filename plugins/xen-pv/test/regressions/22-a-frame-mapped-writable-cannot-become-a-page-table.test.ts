import 'reflect-metadata';
import test from 'ava';
import { GuestRequestError, PTE_PRESENT, PTE_USER, PTE_WRITABLE, createHypervisor, makePte, server2007 } from '@visorkit/core';
import { xenPvPlugin } from '../../src/index.js';

// Found by `npm run fuzz` (#22): Xen refused to map a pinned page table writable, but pinned
// a frame the guest had already mapped writable — after which the guest could write a page
// table Xen had validated. Xen's writable type count refuses the pin. Only a typed leaf
// table's entries are mappings (an untyped frame's are data): each test's table is pinned.
function guest() {
  const hv = createHypervisor({ machine: server2007, plugins: [xenPvPlugin] });
  const d = hv.createDomain({ name: 'mallory', memoryMiB: 16 });
  return { hv, d, v: d.vcpus[0]! };
}

test('a frame mapped writable cannot be pinned as a page table; once unmapped it can', (t) => {
  const { hv, d, v } = guest();
  hv.memory.pinPageTable(v, 0 as never, 1);
  hv.memory.writePte(v, 0 as never, 0, makePte(63, PTE_PRESENT | PTE_WRITABLE | PTE_USER));
  const e = t.throws(() => hv.memory.pinPageTable(v, 63 as never, 1));
  t.true(e instanceof GuestRequestError, String(e));
  t.true(hv.counts(d)['privilege-violation']! >= 1);
  hv.memory.writePte(v, 0 as never, 0, makePte(63, PTE_PRESENT | PTE_USER));
  t.notThrows(() => hv.memory.pinPageTable(v, 63 as never, 1), 'a read-only mapping holds no writable reference');
});

test('zeroing the table that held the writable entry drops its reference', (t) => {
  const { hv, v } = guest();
  hv.memory.pinPageTable(v, 5 as never, 1);
  hv.memory.writePte(v, 5 as never, 9, makePte(40, PTE_PRESENT | PTE_WRITABLE));
  t.throws(() => hv.memory.pinPageTable(v, 40 as never, 1));
  hv.memory.zeroFrame(v, 5 as never);
  t.notThrows(() => hv.memory.pinPageTable(v, 40 as never, 1));
});

test('a level that is not a page-table level is refused', (t) => {
  const { hv, v } = guest();
  for (const level of [0, -1, 5, 1.5, Number.NaN]) t.throws(() => hv.memory.pinPageTable(v, 7 as never, level), { instanceOf: GuestRequestError });
});

// Found by `npm run fuzz` (#22): the balloon gave back a frame the guest still mapped, so its
// entry reached a frame Xen then handed to another domain. A mapped frame keeps its reference.
test('a frame still mapped cannot be given back through the balloon; unmapped, it can', (t) => {
  const { hv, d, v } = guest();
  hv.memory.pinPageTable(v, 11 as never, 1);
  hv.memory.writePte(v, 11 as never, 95, makePte(36, PTE_PRESENT | PTE_USER));
  const violations = hv.counts(d)['privilege-violation'] ?? 0;
  t.throws(() => hv.balloon!.releaseFrames(v, [36 as never]), { instanceOf: GuestRequestError });
  t.is(hv.counts(d)['privilege-violation']!, violations + 1);
  t.throws(() => hv.balloon!.releaseFrames(v, [11 as never]), { instanceOf: GuestRequestError }, 'a frame holding mappings is in use as a table');
  hv.memory.writePte(v, 11 as never, 95, 0);
  hv.memory.unpinPageTable(v, 11 as never);
  t.notThrows(() => hv.balloon!.releaseFrames(v, [36 as never, 11 as never]));
});

// Found by `npm run fuzz` (#22): in lazy-MMU mode the entry was checked when queued, so pinning
// its target before the batch was flushed let the flush map a page table writable.
test('a batch is validated when it is flushed: an entry made writable to a frame pinned meanwhile is refused', (t) => {
  const { hv, v } = guest();
  hv.memory.beginBatch(v);
  hv.memory.writePte(v, 0 as never, 0, makePte(5, PTE_PRESENT | PTE_WRITABLE | PTE_USER));
  hv.memory.pinPageTable(v, 5 as never, 1);
  t.throws(() => hv.memory.flushBatch(v), { instanceOf: GuestRequestError });
  t.is(hv.memory.readPte(v, 0 as never, 0), 0, 'nothing of the refused batch was applied');
});

// Found by `npm run fuzz` (#22): copying a table page onto itself dropped the references of
// the entries it still held, so the frame they mapped writable could then be pinned.
test('a table page copied onto itself keeps its writable references', (t) => {
  const { hv, v } = guest();
  hv.memory.pinPageTable(v, 19 as never, 1);
  hv.memory.writePte(v, 19 as never, 0, makePte(1, PTE_PRESENT | PTE_WRITABLE | PTE_USER));
  hv.memory.copyFrame(v, 19 as never, 19 as never);
  t.throws(() => hv.memory.pinPageTable(v, 1 as never, 1), { instanceOf: GuestRequestError });
});
