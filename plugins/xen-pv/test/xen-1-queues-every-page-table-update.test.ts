import 'reflect-metadata';
import test from 'ava';
import { PTE_PRESENT, PTE_USER, createHypervisor, makePte, server2007, type Hypervisor, type Vcpu } from '@visorkit/core';
import { xenPvPlugin } from '../src/index.js';
import { pinnedTablesToPageZero } from './helpers/pinned-tables.js';

/** The tables down to one leaf table for virtual page 0, with the root loaded; returns that leaf table. */
function tables(hv: Hypervisor, v: Vcpu): number {
  const { root, leaf } = pinnedTablesToPageZero(hv, v);
  hv.cpu.switchAddressSpace(v, root as never, 1);
  return leaf;
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
