import 'reflect-metadata';
import test from 'ava';
import { CostCategory, PrivilegeViolationError, createHypervisor, server2007, type PrivilegedOperation } from '@visorkit/core';
import { nativePlugin } from '../../src/index.js';

const kernelCycles = (v: { cycles: Float64Array }): number => v.cycles[CostCategory.GuestKernel]!;

test('a privileged instruction from user code faults, is counted, and costs the domain nothing else', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin] });
  const d = hv.createDomain({ name: 'g', memoryMiB: 8 });
  const v = d.vcpus[0]!;
  const ops: PrivilegedOperation[] = ['load-page-table-base', 'flush-tlb', 'set-trap-table', 'halt', 'set-timer', 'io-access'];
  for (const op of ops) {
    const e = t.throws(() => hv.cpu.privileged(v, op, true), { instanceOf: PrivilegeViolationError });
    t.regex(e.message, new RegExp(op));
  }
  t.is(hv.counts(d)['privilege-violation'], ops.length);
  t.is(hv.counts(d)['tlb-flush'], undefined, 'a refused flush flushes nothing');
  t.is(kernelCycles(v), 0);
  // rdtsc is not privileged: user code may read the clock.
  t.notThrows(() => hv.cpu.privileged(v, 'read-clock', true));
});

test('from the kernel, privileged operations are plain instructions; a TLB flush costs a page-table base reload', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin] });
  const d = hv.createDomain({ name: 'g', memoryMiB: 8 });
  const v = d.vcpus[0]!;
  hv.cpu.privileged(v, 'flush-tlb');
  t.is(kernelCycles(v), server2007.costs.pageTableBaseSwitch);
  t.is(hv.counts(d)['tlb-flush'], 1);
  t.is(hv.counts(d)['privilege-violation'], undefined);
  const before = kernelCycles(v);
  hv.cpu.privileged(v, 'set-timer');
  t.true(kernelCycles(v) > before && kernelCycles(v) - before < server2007.costs.trapRoundTrip, 'a register write is cheaper than a trap');
});

test('system calls and page faults cost one hardware round trip each, counted', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin] });
  const d = hv.createDomain({ name: 'g', memoryMiB: 8 });
  const v = d.vcpus[0]!;
  for (let i = 0; i < 7; i++) hv.cpu.systemCall(v);
  for (let i = 0; i < 3; i++) hv.cpu.pageFault(v, i, false);
  hv.cpu.deliverInterrupt(v);
  t.is(kernelCycles(v), 7 * server2007.costs.syscallRoundTrip + 3 * server2007.costs.trapRoundTrip + server2007.costs.interruptDelivery);
  t.like(hv.counts(d), { syscall: 7, 'page-fault': 3, interrupt: 1 });
  t.deepEqual(hv.cpu.kernelPrivilege, { ring: 0, nonRoot: false });
});

test('switching between domains reloads the page-table base and flushes the TLB; within a domain it does not', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin] });
  const a = hv.createDomain({ name: 'a', memoryMiB: 8, vcpus: 2 });
  const b = hv.createDomain({ name: 'b', memoryMiB: 8 });
  const [a0, a1] = [a.vcpus[0]!, a.vcpus[1]!];
  const b0 = b.vcpus[0]!;
  const { registerSwitch, pageTableBaseSwitch } = server2007.costs;
  hv.cpu.worldSwitch(0, a0, a1);
  t.is(kernelCycles(a1), registerSwitch, 'threads of one group share an address space');
  hv.cpu.worldSwitch(0, a1, b0);
  t.is(kernelCycles(b0), registerSwitch + pageTableBaseSwitch, 'charged to the domain switched to');
  t.is(kernelCycles(a0), 0);
  t.is(hv.counts(b)['tlb-flush'], 1);
  t.is(hv.counts(a)['tlb-flush'] ?? 0, 0);
});
