import 'reflect-metadata';
import test from 'ava';
import {
  CostCategory,
  DiskPartitions,
  HYPERVISOR_OWNER,
  NO_ACTOR,
  PTE_PRESENT,
  PTE_USER,
  PTE_WRITABLE,
  PageTableBuilder,
  Tlb,
  createHypervisor,
  makePte,
  server2007,
  type VcpuProgram,
} from '../../src/index.js';
import { minimalPlugin } from '../support/minimal-plugin.js';

const compute: VcpuProgram = { run: (v, b) => (v.charge(CostCategory.GuestUser, b), 'budget') };

test('with no recorder installed every hook site sees undefined', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
  t.is(hv.machine.recorder, undefined);
  t.is(hv.machine.memory.recorder, undefined);
  t.true(hv.machine.pcpus.every((p) => p.tlb.recorder === undefined));
});

test('frame accesses are attributed to the acting domain, with the owner at that instant', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
  const rec = hv.machine.record();
  t.is(hv.machine.record(), rec, 'recording twice returns the same recorder');
  const a = hv.createDomain({ name: 'a', memoryMiB: 4 });
  const b = hv.createDomain({ name: 'b', memoryMiB: 4 });
  rec.as(a.id, () => hv.memory.zeroFrame(a.vcpus[0]!, 3 as never));
  const mfnA = hv.memory.machineFrame(a, 3 as never, 'read');
  t.true(rec.framesTouchedBy(a.id).has(mfnA));
  t.is(rec.foreign.length, 0);
  // A write during b's activity into a's frame is foreign, whoever asked for it.
  rec.as(b.id, () => hv.machine.memory.writeWord32(mfnA, 0, 7));
  t.is(rec.foreign.length, 1);
  t.like(rec.foreign[0], { actor: b.id, owner: a.id, frame: mfnA, kind: 'write' });
  // Outside any activity nothing is judged.
  hv.machine.memory.writeWord32(mfnA, 1, 7);
  t.is(rec.foreign.length, 1);
  t.is(rec.actor, NO_ACTOR);
  // Hypervisor-owned frames may be touched by anyone's activity.
  const mine = hv.machine.memory.allocate(HYPERVISOR_OWNER);
  rec.as(b.id, () => hv.machine.memory.readWord32(mine, 0));
  t.is(rec.foreign.length, 1);
  t.true(rec.ownership.some((o) => o.frame === mine && o.to === HYPERVISOR_OWNER));
});

test('a TLB entry filled for one domain and hit for another is a leak, whatever its tag', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
  const rec = hv.machine.record();
  const tlb = hv.machine.pcpus[0]!.tlb;
  rec.as(1, () => tlb.insert(77, 9, 3000 * 4096 + 7));
  rec.as(1, () => tlb.lookup(77, 9));
  t.is(rec.tlbLeaks.length, 0);
  rec.as(2, () => tlb.lookup(77, 9));
  t.is(rec.tlbLeaks.length, 1);
  t.like(rec.tlbLeaks[0], { pcpu: 0, tag: 77, page: 9, insertedBy: 1, usedBy: 2 });
  t.deepEqual(rec.tlbContents(tlb), [{ tag: 77, page: 9, value: 3000 * 4096 + 7, insertedBy: 1 }]);
  tlb.flushAll();
  t.deepEqual(rec.tlbContents(tlb), []);
  t.true(rec.tlb.some((e) => e.kind === 'flush-all'));
  // A plugin's private cache is not a pCPU's TLB and is not watched.
  t.is(new Tlb(16, 4).recorder, undefined);
});

test('bursts are recorded per pCPU with their length, and attribute what runs in them', (t) => {
  const hv = createHypervisor({ machine: { ...server2007, cpu: { ...server2007.cpu, cores: 1 } }, plugins: [minimalPlugin()] });
  const rec = hv.machine.record();
  const a = hv.createDomain({ name: 'a', memoryMiB: 4 });
  const b = hv.createDomain({ name: 'b', memoryMiB: 4 });
  const seen: number[] = [];
  hv.start(a, () => ({ run: (v, bud) => (seen.push(rec.actor), v.charge(CostCategory.GuestUser, bud), 'budget') }));
  hv.start(b, () => compute);
  hv.runUntil(1e8);
  t.true(seen.length > 0 && seen.every((x) => x === a.id));
  t.is(rec.actor, NO_ACTOR);
  const total = rec.runTimeOf(a.id) + rec.runTimeOf(b.id);
  t.true(Math.abs(total - 1e8) < 2e7, `runs cover the time: ${total}`);
  t.is(rec.runTimeOf(a.id), a.vcpus[0]!.runtimeNs);
  for (let i = 1; i < rec.runs.length; i++) t.true(rec.runs[i]!.start >= rec.runs[i - 1]!.start + rec.runs[i - 1]!.durationNs);
});

test('disk transfers are recorded with their partition owner and frames', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
  const rec = hv.machine.record();
  const a = hv.createDomain({ name: 'a', memoryMiB: 4 });
  const parts = new DiskPartitions(hv.machine.disks[0]!, hv.machine.memory);
  parts.attach(a, 64);
  hv.memory.zeroFrame(a.vcpus[0]!, 5 as never);
  parts.dma('read', 8, [hv.memory.machineFrame(a, 5 as never, 'read')]);
  t.is(rec.partitions.length, 1);
  t.is(rec.dmas.length, 1);
  t.like(rec.dmas[0], { operation: 'read', domain: a.id, sectors: 8 });
  t.deepEqual(rec.dmas[0]!.frames, [hv.memory.machineFrame(a, 5 as never, 'read')]);
  t.true(rec.accesses.some((x) => x.kind === 'dma-write' && x.actor === a.id));
  t.is(rec.foreign.length, 0);
});

test('alarms are recorded for the domain they fire for', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
  const rec = hv.machine.record();
  const a = hv.createDomain({ name: 'a', memoryMiB: 4 });
  hv.time.setAlarm(a, 'real', 1234567, () => {});
  hv.runFor(1e7);
  t.deepEqual(rec.timers, [{ time: 1234567, domain: a.id, clock: 'real', deadline: 1234567 }]);
});

test('page walks through a builder touch only the domain’s own frames', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
  const rec = hv.machine.record();
  const a = hv.createDomain({ name: 'a', memoryMiB: 8 });
  const v = a.vcpus[0]!;
  rec.as(a.id, () => {
    const pt = new PageTableBuilder(hv, v, 1);
    pt.set(4, makePte(900, PTE_PRESENT | PTE_USER | PTE_WRITABLE));
    pt.activate(1);
    hv.memory.translate(v, 4, true);
  });
  t.true(rec.accesses.filter((x) => x.actor === a.id).length > 0);
  t.is(rec.foreign.length, 0);
});
