import 'reflect-metadata';
import test from 'ava';
import { createHypervisor, modern, server2007 } from '@visorkit/core';
import { hwAssistPlugin } from '../../src/index.js';
import { AddressSpaceBuilder } from '../helpers/address-space.js';

function exitsFor(plugin: typeof hwAssistPlugin, profile: typeof modern, pages: number): { exits: number; writes: number; cycles: number } {
  const hv = createHypervisor({ machine: profile, plugins: [plugin] });
  const d = hv.createDomain({ name: 'g', memoryMiB: 64 });
  const v = d.vcpus[0]!;
  const as = new AddressSpaceBuilder(hv, v);
  as.activate();
  const c = hv.counts(d);
  const before = { exits: c['vm-exit'] ?? 0, writes: c['pte-write'] ?? 0, cycles: v.cycles.reduce((x, y) => x + y, 0) };
  for (let p = 0; p < pages; p++) as.map(100 + p, 2000 + p);
  const after = hv.counts(d);
  return {
    exits: (after['vm-exit'] ?? 0) - before.exits,
    writes: (after['pte-write'] ?? 0) - before.writes,
    cycles: v.cycles.reduce((x, y) => x + y, 0) - before.cycles,
  };
}

test('under shadow paging every guest page-table write is a VM exit', (t) => {
  const r = exitsFor(hwAssistPlugin.configure({ paging: 'shadow' }), server2007, 64);
  t.true(r.writes >= 64);
  t.is(r.exits, r.writes);
});

test('under nested paging page-table writes are plain stores: no exits, far fewer cycles', (t) => {
  const ept = exitsFor(hwAssistPlugin, modern, 64);
  const shadow = exitsFor(hwAssistPlugin.configure({ paging: 'shadow' }), modern, 64);
  t.is(ept.exits, 0);
  t.true(shadow.cycles > 5 * ept.cycles, `shadow ${shadow.cycles} vs ept ${ept.cycles} cycles`);
});

test('the shadow table the hardware walks agrees with the guest table', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [hwAssistPlugin.configure({ paging: 'shadow' })] });
  const d = hv.createDomain({ name: 'g', memoryMiB: 64 });
  const v = d.vcpus[0]!;
  const as = new AddressSpaceBuilder(hv, v);
  for (let p = 0; p < 20; p++) as.map(300 + p * 7, 3000 + p, p % 2 === 0);
  as.activate();
  for (let p = 0; p < 20; p++) {
    t.is<number, number>(hv.memory.translate(v, 300 + p * 7, false), 3000 + p);
    t.is<number, number>(hv.memory.translate(v, 300 + p * 7, true), p % 2 === 0 ? 3000 + p : -1);
  }
});
