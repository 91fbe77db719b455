import 'reflect-metadata';
import test from 'ava';
import { PrivilegeViolationError, createHypervisor, modern, server2007, xeon2003 } from '@visorkit/core';
import { hwAssistPlugin } from '../../src/index.js';

test('hw-assist refuses a machine without VT-x, naming the profile', (t) => {
  t.throws(() => createHypervisor({ machine: xeon2003, plugins: [hwAssistPlugin] }), { message: /xeon-2003.*hardware virtualisation/ });
});

test('nested paging is refused on first-generation VT-x without EPT; shadow paging works there', (t) => {
  t.throws(() => createHypervisor({ machine: server2007, plugins: [hwAssistPlugin] }), { message: /nested paging/ });
  t.notThrows(() => createHypervisor({ machine: server2007, plugins: [hwAssistPlugin.configure({ paging: 'shadow' })] }));
});

test('system calls do not exit; halting and device access do', (t) => {
  const hv = createHypervisor({ machine: modern, plugins: [hwAssistPlugin] });
  const d = hv.createDomain({ name: 'g' });
  const v = d.vcpus[0]!;
  hv.cpu.systemCall(v);
  t.is(hv.counts(d)['vm-exit'] ?? 0, 0);
  hv.cpu.privileged(v, 'halt');
  hv.cpu.privileged(v, 'io-access');
  t.is(hv.counts(d)['vm-exit'], 2);
});

test('privileged operations from guest user mode never succeed', (t) => {
  const hv = createHypervisor({ machine: modern, plugins: [hwAssistPlugin] });
  const d = hv.createDomain({ name: 'g' });
  t.throws(() => hv.cpu.privileged(d.vcpus[0]!, 'load-page-table-base', true), { instanceOf: PrivilegeViolationError });
  t.is(hv.counts(d)['privilege-violation'], 1);
});

test('VM exits cost more on first-generation hardware than on a current one', (t) => {
  const exitCycles = (profile: typeof modern, plugin = hwAssistPlugin): number => {
    const hv = createHypervisor({ machine: profile, plugins: [plugin] });
    const v = hv.createDomain({ name: 'g' }).vcpus[0]!;
    hv.cpu.privileged(v, 'halt');
    return v.cycles.reduce((x, y) => x + y, 0);
  };
  t.true(exitCycles(server2007, hwAssistPlugin.configure({ paging: 'shadow' })) > exitCycles(modern));
});
