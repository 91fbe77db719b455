import 'reflect-metadata';
import test from 'ava';
import { GuestRequestError, PTE_PRESENT, PTE_USER, PTE_WRITABLE, createHypervisor, gfn, makePte, server2007, type BlockStatus } from '@visorkit/core';
import { XenPvMemory, xenPvPlugin } from '../../src/index.js';

// Found by `npm run fuzz` (#22) at ~64k operations: an entry of an upper-level table could
// reference any frame of the domain, unchecked. Pinning F as L2, writing into it an entry to
// frame 3 with the writable bit, pinning 3 as L1 and unpinning F left F — no longer a table,
// so written as a leaf from then on — holding a writable mapping of the page table 3. Xen's
// get_page_from_l2e types the frame an L2 entry references as an L1 table (validating it if it
// had no type) and takes a type reference that unpinning the L2 puts back.
function guest() {
  const hv = createHypervisor({ machine: server2007, plugins: [xenPvPlugin] });
  const d = hv.createDomain({ name: 'mallory', memoryMiB: 16 });
  return { hv, d, v: d.vcpus[0]! };
}

const RW = PTE_PRESENT | PTE_WRITABLE | PTE_USER;
const RO = PTE_PRESENT | PTE_USER;

test('the fuzzer’s sequence: the frame an L2 entry references is an L1 table, never mapped writable, and unpinning the L2 frees it', (t) => {
  const { hv, v } = guest();
  const m = hv.memory;
  m.pinPageTable(v, gfn(0), 2);
  m.writePte(v, gfn(0), 0, makePte(3, RW));
  t.throws(() => m.writePte(v, gfn(20), 0, makePte(3, RW)), { instanceOf: GuestRequestError }, 'frame 3 is an L1 table now');
  t.throws(() => m.pinPageTable(v, gfn(3), 2), { instanceOf: GuestRequestError }, 'it has one type at a time');
  m.pinPageTable(v, gfn(3), 1);
  m.unpinPageTable(v, gfn(0));
  // Frame 0 holds upper-level entries and no type: it is not a leaf table until validated as one.
  t.throws(() => m.pinPageTable(v, gfn(0), 1), { instanceOf: GuestRequestError });
  m.pinPageTable(v, gfn(30), 2);
  t.throws(() => m.writePte(v, gfn(30), 0, makePte(0, RO)), { instanceOf: GuestRequestError }, 'nor can an L2 entry make it one');
  m.unpinPageTable(v, gfn(3));
  t.notThrows(() => m.writePte(v, gfn(20), 0, makePte(3, RW)), 'no pin or reference holds frame 3: it is data again');
});

test('an L1 table referenced by an L2 entry stays a table when unpinned, until the entry goes', (t) => {
  const { hv, v } = guest();
  const m = hv.memory;
  m.pinPageTable(v, gfn(3), 1);
  m.pinPageTable(v, gfn(10), 2);
  m.writePte(v, gfn(10), 5, makePte(3, RO));
  m.unpinPageTable(v, gfn(3));
  t.throws(() => m.writePte(v, gfn(20), 0, makePte(3, RW)), { instanceOf: GuestRequestError });
  m.writePte(v, gfn(10), 5, 0);
  t.notThrows(() => m.writePte(v, gfn(20), 0, makePte(3, RW)));
});

test('an L2 entry may not reference a frame mapped writable, one typed at another level, or an upper table not pinned', (t) => {
  const { hv, d, v } = guest();
  const m = hv.memory;
  m.pinPageTable(v, gfn(10), 2);
  m.pinPageTable(v, gfn(20), 1);
  m.writePte(v, gfn(20), 0, makePte(7, RW));
  const violations = hv.counts(d)['privilege-violation'] ?? 0;
  t.throws(() => m.writePte(v, gfn(10), 0, makePte(7, RO)), { instanceOf: GuestRequestError }, 'mapped writable');
  t.is(hv.counts(d)['privilege-violation'], violations + 1);
  t.throws(() => m.writePte(v, gfn(10), 1, makePte(10, RO)), { instanceOf: GuestRequestError }, 'itself: an L2 table');
  m.pinPageTable(v, gfn(11), 3);
  t.throws(() => m.writePte(v, gfn(11), 0, makePte(12, RO)), { instanceOf: GuestRequestError }, 'frame 12 is not a pinned L2 table');
  m.pinPageTable(v, gfn(12), 2);
  t.notThrows(() => m.writePte(v, gfn(11), 0, makePte(12, RO)));
});

test('a frame pinned as an upper-level table has its contents validated as entries of that level', (t) => {
  const { hv, v } = guest();
  const m = hv.memory;
  // Leaf table 22 maps frame 7 writable, so 7 cannot be an L1 table: frame 20, pointing at it, cannot be an L2.
  m.pinPageTable(v, gfn(22), 1);
  m.writePte(v, gfn(22), 0, makePte(7, RW));
  m.writePte(v, gfn(20), 0, makePte(7, RO));
  t.throws(() => m.pinPageTable(v, gfn(20), 2), { instanceOf: GuestRequestError });
  m.writePte(v, gfn(22), 0, makePte(7, RO));
  m.pinPageTable(v, gfn(20), 2);
  t.throws(() => m.writePte(v, gfn(21), 0, makePte(7, RW)), { instanceOf: GuestRequestError }, 'frame 7 became an L1 table with it');
});

test('a page table cannot be overwritten by a page copy', (t) => {
  const { hv, v } = guest();
  hv.memory.pinPageTable(v, gfn(3), 1);
  t.throws(() => hv.memory.copyFrame(v, gfn(3), gfn(4)), { instanceOf: GuestRequestError });
});

// Found by `npm run fuzz` (#22) once the above was fixed: a disk read DMA'd into a pinned
// table, rewriting entries Xen had validated. A grant for a device to write a page table is refused.
test('a disk read into a page table fails, and a frame a read is filling cannot become a page table', (t) => {
  const { hv, d, v } = guest();
  const disk = hv.block.attachDisk(d, 64);
  hv.memory.pinPageTable(v, gfn(3), 1);
  const statuses: BlockStatus[] = [];
  hv.block.submit(v, disk, { operation: 'read', sector: 0, frames: [gfn(3)] }, (s) => statuses.push(s));
  hv.runFor(1e8);
  t.deepEqual(statuses, ['error']);
  // The grant is held from when the back end takes the request until the data has landed.
  const mem = hv.memory;
  if (!(mem instanceof XenPvMemory)) return t.fail('xen-pv composes XenPvMemory');
  t.true(mem.beginDeviceWrite(d, [5]));
  t.throws(() => hv.memory.pinPageTable(v, gfn(5), 1), { instanceOf: GuestRequestError });
  mem.endDeviceWrite(d, [5]);
  t.notThrows(() => hv.memory.pinPageTable(v, gfn(5), 1));
  t.false(mem.beginDeviceWrite(d, [4, 5]), 'frame 5 is a table now');
  hv.block.submit(v, disk, { operation: 'read', sector: 0, frames: [gfn(6)] }, (s) => statuses.push(s));
  hv.runFor(1e8);
  t.deepEqual(statuses, ['error', 'ok']);
  t.notThrows(() => hv.memory.pinPageTable(v, gfn(6), 1), 'the grant went with the read');
});
