import 'reflect-metadata';
import test from 'ava';
import {
  CostCategory,
  GuestRequestError,
  PTE_PRESENT,
  PTE_USER,
  PTE_WRITABLE,
  PrivilegeViolationError,
  createHypervisor,
  makePte,
  server2007,
  type Hypervisor,
  type Vcpu,
} from '@visorkit/core';
import { type XenPvCpu, type XenSplitNetwork, xenPvPlugin } from '../src/index.js';
import { pinnedTablesToPageZero } from './helpers/pinned-tables.js';

/** Writes `n` leaf entries into one new leaf table under a pinned root, inside a lazy-MMU batch. */
function writeEntries(hv: Hypervisor, v: Vcpu, n: number): void {
  const m = hv.memory;
  const { leaf: table } = pinnedTablesToPageZero(hv, v);
  m.beginBatch(v);
  for (let i = 0; i < n; i++) m.writePte(v, table as never, i, makePte(1000 + i, PTE_PRESENT | PTE_WRITABLE | PTE_USER));
  m.flushBatch(v);
}

function setup(options: Parameters<typeof xenPvPlugin.configure>[0] = {}) {
  const hv = createHypervisor({ machine: server2007, plugins: [xenPvPlugin.configure(options)] });
  const d = hv.createDomain({ name: 'guest', memoryMiB: 32 });
  return { hv, d, v: d.vcpus[0]! };
}

test('in batched mode N updates in lazy-MMU mode make ceil(N / batch) mmu_update hypercalls, and bigger batches cost less', (t) => {
  const run = (batchSize: number) => {
    const { hv, d, v } = setup({ pageTableMode: 'batched', batchSize });
    const before = hv.counts(d)['mmu-update-batch'] ?? 0;
    const cycles = v.cycles[CostCategory.Hypervisor]!;
    writeEntries(hv, v, 200);
    return { batches: (hv.counts(d)['mmu-update-batch'] ?? 0) - before, cycles: v.cycles[CostCategory.Hypervisor]! - cycles };
  };
  const small = run(8);
  const large = run(64);
  t.true(small.batches >= Math.ceil(200 / 8));
  t.true(large.batches < small.batches);
  t.true(large.cycles < small.cycles);
});

test('in writable mode the first write to a leaf table traps once, and the table is revalidated on reconnect', (t) => {
  const { hv, d, v } = setup({ pageTableMode: 'writable' });
  writeEntries(hv, v, 100);
  const c = hv.counts(d);
  t.is(c['writable-pt-trap'], 1);
  t.is(c['writable-pt-revalidate'], 1);
  t.true(c['pte-validate']! >= 100);
});

test('a guest cannot map a frame it does not own, nor a page table writable; nothing is applied', (t) => {
  const { hv, d, v } = setup({ pageTableMode: 'batched' });
  writeEntries(hv, v, 1);
  const foreign = hv.memory.frames(d) + 10;
  t.throws(() => hv.memory.writePte(v, 4 as never, 5, makePte(foreign, PTE_PRESENT)), { instanceOf: GuestRequestError, message: /does not own/ });
  t.throws(() => hv.memory.writePte(v, 4 as never, 6, makePte(1, PTE_PRESENT | PTE_WRITABLE)), {
    instanceOf: GuestRequestError,
    message: /page table and may not be mapped writable/,
  });
  t.is(hv.memory.readPte(v, 4 as never, 5), 0);
  t.is(hv.memory.readPte(v, 4 as never, 6), 0);
  t.is(hv.counts(d)['privilege-violation'], 2);
});

test('fast system-call handlers are cheaper than bouncing every system call through Xen', (t) => {
  const cost = (fastSystemCalls: boolean) => {
    const { hv, v } = setup({ fastSystemCalls });
    for (let i = 0; i < 10; i++) hv.cpu.systemCall(v);
    return v.cycles.reduce((a, b) => a + b, 0);
  };
  t.true(cost(false) > 2 * cost(true));
});

test('page faults are bounced through Xen and cost more than a native trap', (t) => {
  const { hv, v } = setup();
  hv.cpu.pageFault(v, 0, false);
  t.true(v.cycles.reduce((a, b) => a + b, 0) > server2007.costs.trapRoundTrip);
});

test('privileged instructions executed directly in ring 1 fault; Dom0-only operations are refused to guests', (t) => {
  const { hv, d, v } = setup();
  t.throws(() => (hv.cpu as XenPvCpu).attemptPrivilegedInstruction(v, 'load-page-table-base'), {
    instanceOf: PrivilegeViolationError,
    message: /general-protection/,
  });
  t.throws(() => hv.cpu.privileged(v, 'io-access'), { instanceOf: PrivilegeViolationError, message: /Dom0/ });
  t.throws(() => (hv.network as XenSplitNetwork).installRule(v, { source: '', destination: '', action: 'drop' }), { instanceOf: PrivilegeViolationError });
  t.is(hv.counts(d)['privilege-violation'], 3);
});

test("the virtual firewall-router drops spoofed frames and frames Dom0's rules reject; others arrive", (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [xenPvPlugin] });
  const dom0 = hv.createDomain({ name: 'dom0' }, 'control');
  const a = hv.createDomain({ name: 'a', memoryMiB: 32 });
  const b = hv.createDomain({ name: 'b', memoryMiB: 32 });
  const got: string[] = [];
  const ia = hv.network.attachInterface(a, '10.0.0.1', () => {});
  hv.network.attachInterface(b, '10.0.0.2', (f) => got.push(String(f.data)));
  (hv.network as XenSplitNetwork).installRule(dom0.vcpus[0]!, { source: '10.0.0.1', destination: '10.0.0.2', action: 'accept' });
  hv.network.transmit(a.vcpus[0]!, ia, { source: '10.0.0.1', destination: '10.0.0.2', bytes: 500, data: 'ok' });
  hv.network.transmit(a.vcpus[0]!, ia, { source: '10.0.0.9', destination: '10.0.0.2', bytes: 500, data: 'spoofed' });
  hv.runFor(1e7);
  t.deepEqual(got, ['ok']);
  t.is(hv.network.dropped, 1);
});

test('a virtual block device reads back what was written and refuses sectors outside its extents', (t) => {
  const { hv, d, v } = setup();
  const dev = hv.block.attachDisk(d, 256);
  hv.memory.zeroFrame(v, 20 as never);
  hv.machine.memory.writeBytes(hv.memory.machineFrame(d, 20 as never, 'write'), 0, Uint8Array.of(1, 2, 3));
  const statuses: string[] = [];
  hv.block.submit(v, dev, { operation: 'write', sector: 8, frames: [20 as never] }, (s) => statuses.push(s));
  hv.runFor(1e8);
  hv.block.submit(v, dev, { operation: 'read', sector: 8, frames: [21 as never] }, (s) => statuses.push(s));
  hv.block.submit(v, dev, { operation: 'read', sector: 255, frames: [22 as never] }, (s) => statuses.push(s));
  hv.runFor(1e8);
  t.deepEqual(statuses.sort(), ['ok', 'ok', 'out-of-range']);
  const back = new Uint8Array(3);
  hv.machine.memory.readBytes(hv.memory.machineFrame(d, 21 as never, 'read'), 0, back);
  t.deepEqual([...back], [1, 2, 3]);
});
