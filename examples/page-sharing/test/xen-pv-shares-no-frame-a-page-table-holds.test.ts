import 'reflect-metadata';
import test from 'ava';
import {
  GuestPhysicalMapToken,
  PTE_PRESENT,
  PTE_USER,
  PageTableBuilder,
  createHypervisor,
  fileContent,
  gfn,
  makePte,
  modern,
  type Domain,
  type Hypervisor,
} from '@visorkit/core';
import { xenPvPlugin } from '@visorkit/xen-pv';
import { pageSharingPlugin } from '../src/index.js';

const PAGES = 12;
const FIRST = 10;

/** Three Xen PV guests whose frames 10.. hold the same file pages; `before` runs on each before the scanner does. */
function threeGuests(before?: (hv: Hypervisor, d: Domain) => void): { hv: Hypervisor; vms: Domain[] } {
  const hv = createHypervisor({ machine: modern, plugins: [xenPvPlugin, pageSharingPlugin.configure({ pagesPerScan: 4096, scanPeriodMs: 1 })] });
  const vms = [0, 1, 2].map((i) => hv.createDomain({ name: `pv${i}`, memoryMiB: 16 }));
  for (const d of vms) {
    const v = d.vcpus[0]!;
    for (let p = 0; p < PAGES; p++) {
      hv.memory.zeroFrame(v, gfn(FIRST + p));
      hv.machine.memory.setContent(hv.memory.machineFrame(d, gfn(FIRST + p), 'read'), fileContent(7, p));
    }
    before?.(hv, d);
  }
  return { hv, vms };
}

const frameOf = (hv: Hypervisor, d: Domain, g: number): number => hv.memory.machineFrame(d, gfn(g), 'read');

test('identical pages of Xen PV guests end up backed by one frame', (t) => {
  const { hv, vms } = threeGuests();
  hv.runFor(50e6);
  for (let p = 0; p < PAGES; p++) t.is(new Set(vms.map((d) => frameOf(hv, d, FIRST + p))).size, 1, `page ${p} is one frame for all three`);
  t.true(hv.service(GuestPhysicalMapToken)!.framesSaved >= 2 * PAGES);
});

test('a frame a page table maps, and a page table itself, are never shared (Xen shares no frame with a type or a reference)', (t) => {
  // pv0 maps its copy of page 0 (read-only) and builds tables from frame 200: zero pages like the others' free ones.
  const tables = new Map<Domain, PageTableBuilder>();
  const { hv, vms } = threeGuests((hv, d) => {
    if (d.name !== 'pv0') return;
    const b = new PageTableBuilder(hv, d.vcpus[0]!, 200);
    b.set(5, makePte(FIRST, PTE_PRESENT | PTE_USER));
    tables.set(d, b);
  });
  const [a, b, c] = vms as [Domain, Domain, Domain];
  // Zero pages elsewhere, for the tables to look like.
  for (const d of [b, c]) for (let g = 200; g < 210; g++) hv.memory.zeroFrame(d.vcpus[0]!, gfn(g));
  hv.runFor(50e6);
  t.not(frameOf(hv, a, FIRST), frameOf(hv, b, FIRST), "pv0's mapped page stays its own");
  t.is(frameOf(hv, b, FIRST), frameOf(hv, c, FIRST), 'the other two still share it');
  const used = tables.get(a)!.framesUsed;
  for (let g = 200; g < used; g++) t.is(hv.machine.memory.ownerOf(frameOf(hv, a, g)), a.id, `page-table frame ${g} stays pv0's own`);
  tables.get(a)!.activate();
  t.is(Number(hv.memory.translate(a.vcpus[0]!, 5, false)), FIRST);
});

test('a guest table mapping a shared frame gets a private copy first: no table ever holds a shared frame', (t) => {
  const { hv, vms } = threeGuests();
  hv.runFor(50e6);
  const [a, b] = vms as [Domain, Domain];
  const shared = frameOf(hv, a, FIRST + 1);
  t.is(frameOf(hv, b, FIRST + 1), shared);
  const copies = hv.counts(b)['page-copy'] ?? 0;
  const tables = new PageTableBuilder(hv, b.vcpus[0]!, 300);
  tables.set(9, makePte(FIRST + 1, PTE_PRESENT | PTE_USER));
  tables.activate();
  const mine = frameOf(hv, b, FIRST + 1);
  t.not(mine, shared, 'the mapping broke the share');
  t.is(hv.machine.memory.ownerOf(mine), b.id);
  t.is(Number(hv.memory.translate(b.vcpus[0]!, 9, false)), FIRST + 1, 'the mapping reaches the guest frame it named');
  t.true((hv.counts(b)['page-copy'] ?? 0) > copies, 'the copy is counted');
  t.is(frameOf(hv, a, FIRST + 1), shared, 'the others keep the shared frame');
});

test('a kernel write into a shared frame faults into Xen (a trap, not a VM exit) and copies it; the others keep the old contents', (t) => {
  const { hv, vms } = threeGuests();
  hv.runFor(50e6);
  const [a, b] = vms as [Domain, Domain];
  const before = { ...hv.counts(b) };
  hv.memory.zeroFrame(b.vcpus[0]!, gfn(FIRST + 2));
  const after = hv.counts(b);
  t.is((after['cow-fault'] ?? 0) - (before['cow-fault'] ?? 0), 1);
  t.is((after.trap ?? 0) - (before.trap ?? 0), 1);
  t.is((after['vm-exit'] ?? 0) - (before['vm-exit'] ?? 0), 0);
  t.not(frameOf(hv, b, FIRST + 2), frameOf(hv, a, FIRST + 2));
  t.is(hv.machine.memory.contentOf(frameOf(hv, a, FIRST + 2)), fileContent(7, 2), "the others' page still holds the file page");
});
