import 'reflect-metadata';
import test from 'ava';
import { PTE_PRESENT, PTE_USER, PTE_WRITABLE, createHypervisor, makePte, server2007, tableIndex, type Hypervisor, type Vcpu } from '@visorkit/core';
import { xenPvPlugin } from '../src/index.js';

/** A pinned root and the tables down to one leaf table for virtual page 0; returns that leaf table. */
function tables(hv: Hypervisor, v: Vcpu): number {
  const m = hv.memory;
  const g = m.geometry;
  let next = 1;
  const root = next++;
  m.zeroFrame(v, root as never);
  m.pinPageTable(v, root as never, g.levels);
  let table = root;
  for (let level = g.levels; level > 1; level--) {
    const child = next++;
    m.zeroFrame(v, child as never);
    m.pinPageTable(v, child as never, level - 1);
    m.writePte(v, table as never, tableIndex(g, 0, level), makePte(child, PTE_PRESENT | PTE_WRITABLE | PTE_USER));
    table = child;
  }
  hv.cpu.switchAddressSpace(v, root as never, 1);
  return table;
}

function setup(batchSize: number) {
  const hv = createHypervisor({ machine: server2007, plugins: [xenPvPlugin.configure({ pageTableMode: 'batched', batchSize })] });
  const d = hv.createDomain({ name: 'guest', memoryMiB: 32 });
  const v = d.vcpus[0]!;
  return { hv, d, v, leaf: tables(hv, v) };
}

test('Xen 1.x: updates outside a lazy-MMU section are queued too, and reach Xen as one validated mmu_update when the tables are next needed', (t) => {
  const { hv, d, v, leaf } = setup(64);
  const batches = hv.counts(d)['mmu-update-batch'] ?? 0;
  const hypercalls = hv.counts(d).hypercall ?? 0;
  for (let i = 0; i < 10; i++) hv.memory.writePte(v, leaf as never, i, makePte(1000 + i, PTE_PRESENT | PTE_USER));
  t.is(hv.counts(d).hypercall ?? 0, hypercalls, 'nothing reached Xen yet');
  // A walk needs the tables as written: the queue goes first, as one batch of ten.
  const frame: number = hv.memory.translate(v, 3, false);
  t.is(frame, 1003);
  t.is((hv.counts(d)['mmu-update-batch'] ?? 0) - batches, 1);
  t.is(hv.counts(d).hypercall! - hypercalls, 1);
  t.is(hv.counts(d)['pt-write-emulated'] ?? 0, 0);
});

test('Xen 1.x: a full queue goes to Xen at once, so N queued updates make ceil(N / queue size) hypercalls', (t) => {
  const { hv, d, v, leaf } = setup(8);
  const batches = hv.counts(d)['mmu-update-batch'] ?? 0;
  for (let i = 0; i < 20; i++) hv.memory.writePte(v, leaf as never, i, makePte(1000 + i, PTE_PRESENT | PTE_USER));
  t.is((hv.counts(d)['mmu-update-batch'] ?? 0) - batches, 2, 'two full queues of 8');
  hv.memory.readPte(v, leaf as never, 19);
  t.is((hv.counts(d)['mmu-update-batch'] ?? 0) - batches, 3, 'the last 4 before the read');
  t.is(hv.memory.readPte(v, leaf as never, 19), makePte(1019, PTE_PRESENT | PTE_USER));
});
