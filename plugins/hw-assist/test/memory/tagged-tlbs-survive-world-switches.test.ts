import 'reflect-metadata';
import test from 'ava';
import { createHypervisor, modern, server2007 } from '@visorkit/core';
import { hwAssistPlugin } from '../../src/index.js';
import { AddressSpaceBuilder } from '../helpers/address-space.js';

function missesAfterSwitch(profile: typeof modern, plugin = hwAssistPlugin): number {
  const hv = createHypervisor({ machine: profile, plugins: [plugin] });
  const a = hv.createDomain({ name: 'a', memoryMiB: 32 });
  const b = hv.createDomain({ name: 'b', memoryMiB: 32 });
  const va = a.vcpus[0]!;
  const vb = b.vcpus[0]!;
  va.pcpu = 0;
  vb.pcpu = 0;
  const asA = new AddressSpaceBuilder(hv, va);
  asA.map(10, 900);
  asA.activate();
  hv.memory.translate(va, 10, false); // fills the TLB
  const asB = new AddressSpaceBuilder(hv, vb);
  asB.map(10, 901);
  // The host switches pCPU 0 from a to b and back.
  hv.cpu.worldSwitch(0, va, vb);
  asB.activate();
  hv.memory.translate(vb, 10, false);
  hv.cpu.worldSwitch(0, vb, va);
  const tlb = hv.machine.pcpus[0]!.tlb;
  const before = tlb.misses;
  hv.memory.translate(va, 10, false);
  return tlb.misses - before;
}

test('with VPID-tagged TLBs a world switch flushes nothing: the first domain hits again', (t) => {
  t.is(missesAfterSwitch(modern), 0);
});

test('without tags (first-generation VT-x) the switch flushes and the first domain misses', (t) => {
  t.is(missesAfterSwitch(server2007, hwAssistPlugin.configure({ paging: 'shadow' })), 1);
});

test("two domains with the same virtual page never see each other's translation", (t) => {
  const hv = createHypervisor({ machine: modern, plugins: [hwAssistPlugin] });
  const a = hv.createDomain({ name: 'a', memoryMiB: 32 });
  const b = hv.createDomain({ name: 'b', memoryMiB: 32 });
  const [va, vb] = [a.vcpus[0]!, b.vcpus[0]!];
  const asA = new AddressSpaceBuilder(hv, va);
  const asB = new AddressSpaceBuilder(hv, vb);
  asA.map(10, 900);
  asB.map(10, 901);
  asA.activate();
  asB.activate();
  t.is<number, number>(hv.memory.translate(va, 10, false), 900);
  t.is<number, number>(hv.memory.translate(vb, 10, false), 901);
  t.not(hv.memory.machineFrame(a, 900 as never, 'read'), hv.memory.machineFrame(b, 901 as never, 'read'));
});
