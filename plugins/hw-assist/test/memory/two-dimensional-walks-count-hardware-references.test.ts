import 'reflect-metadata';
import test from 'ava';
import { createHypervisor, modern } from '@visorkit/core';
import { type NestedPagingMemory, hwAssistPlugin } from '../../src/index.js';
import { AddressSpaceBuilder } from '../helpers/address-space.js';

function walkRefs(options: Parameters<typeof hwAssistPlugin.configure>[0]): { cold: number; warm: number } {
  const hv = createHypervisor({ machine: modern, plugins: [hwAssistPlugin.configure(options)] });
  const d = hv.createDomain({ name: 'g', memoryMiB: 64 });
  const v = d.vcpus[0]!;
  const as = new AddressSpaceBuilder(hv, v);
  as.map(0x1234, 5000);
  as.map(0x1235, 5001);
  hv.memory.zeroFrame(v, 5000 as never);
  hv.memory.zeroFrame(v, 5001 as never);
  as.activate();
  const memory = hv.memory as NestedPagingMemory;
  memory.translate(v, 0x1234, false);
  const cold = memory.lastWalkReferences;
  memory.translate(v, 0x1235, false); // a TLB miss on a neighbour: guest tables now cached
  return { cold, warm: memory.lastWalkReferences };
}

test('a 4-level guest walk over a 4-level EPT makes 24 memory references with cold caches', (t) => {
  t.is(walkRefs({ pageWalkCache: false }).cold, 24);
  t.is(walkRefs({ pageWalkCache: false }).warm, 24);
});

test('page-walk caches remove the EPT walks of guest page-table frames', (t) => {
  const { cold, warm } = walkRefs({ pageWalkCache: true });
  t.is(cold, 24);
  t.is(warm, 8, '4 guest reads + 4 EPT references for the data page');
});

test('2 MiB host pages shorten every EPT walk by one level', (t) => {
  t.is(walkRefs({ pageWalkCache: false, largePages: true }).cold, 19);
});

test('a translation returns the guest frame the guest mapped, and faults where nothing is mapped', (t) => {
  const hv = createHypervisor({ machine: modern, plugins: [hwAssistPlugin] });
  const d = hv.createDomain({ name: 'g', memoryMiB: 64 });
  const v = d.vcpus[0]!;
  const as = new AddressSpaceBuilder(hv, v);
  as.map(42, 7000, false);
  as.activate();
  t.is<number, number>(hv.memory.translate(v, 42, false), 7000);
  t.is<number, number>(hv.memory.translate(v, 42, true), -1, 'a write to a read-only mapping faults');
  t.is<number, number>(hv.memory.translate(v, 43, false), -1);
});
