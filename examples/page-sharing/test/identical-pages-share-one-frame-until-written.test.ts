import 'reflect-metadata';
import test from 'ava';
import {
  CostCategory,
  GuestPhysicalMapToken,
  InvalidArgumentError,
  createHypervisor,
  fileContent,
  gfn,
  modern,
  type Domain,
  type Hypervisor,
} from '@visorkit/core';
import { hwAssistPlugin } from '@visorkit/hw-assist';
import { nativePlugin } from '@visorkit/native';
import { PageScannerService, pageSharingPlugin } from '../src/index.js';

const PAGES = 12;

/** Three VMs whose frames 10.. hold the same file pages (as a guest kernel reading one image leaves them). */
function threeVms(): { hv: Hypervisor; vms: Domain[] } {
  const hv = createHypervisor({ machine: modern, plugins: [hwAssistPlugin, pageSharingPlugin.configure({ pagesPerScan: 4096, scanPeriodMs: 1 })] });
  const vms = [0, 1, 2].map((i) => hv.createDomain({ name: `vm${i}`, memoryMiB: 16 }));
  for (const d of vms) {
    const v = d.vcpus[0]!;
    for (let p = 0; p < PAGES; p++) {
      hv.memory.zeroFrame(v, gfn(10 + p));
      hv.machine.memory.setContent(hv.memory.machineFrame(d, gfn(10 + p), 'read'), fileContent(7, p));
    }
  }
  return { hv, vms };
}

/** Machine frames backing the VMs' guest memory. */
function machineFrames(hv: Hypervisor): number {
  const map = hv.service(GuestPhysicalMapToken)!;
  return hv.domains.all().reduce((n, d) => n + map.populated(d).length, 0) - map.framesSaved;
}

test('identical pages of different VMs end up backed by one frame, and the machine holds that many frames fewer', (t) => {
  const { hv, vms } = threeVms();
  const before = machineFrames(hv);
  hv.runFor(50e6);
  for (let p = 0; p < PAGES; p++) {
    const mfns = new Set(vms.map((d) => hv.memory.machineFrame(d, gfn(10 + p), 'read')));
    t.is(mfns.size, 1, `page ${p} is one frame for all three`);
  }
  t.is(machineFrames(hv), before - 2 * PAGES);
  t.true(hv.service(PageScannerService)!.stats.merged >= 2 * PAGES);
});

test('a write to a shared page is copied first: the writer sees its data, the other VMs the old contents', (t) => {
  const { hv, vms } = threeVms();
  hv.runFor(50e6);
  const [a, b, c] = vms as [Domain, Domain, Domain];
  const shared = hv.memory.machineFrame(a, gfn(10), 'read');
  t.is(hv.memory.machineFrame(b, gfn(10), 'read'), shared);
  // A device writes b's page (DMA): b gets its own copy first.
  const mine = hv.memory.machineFrame(b, gfn(10), 'write');
  t.not(mine, shared);
  hv.machine.memory.writeBytes(mine, 0, Uint8Array.of(1, 2, 3));
  const seen = new Uint8Array(3);
  hv.machine.memory.readBytes(hv.memory.machineFrame(a, gfn(10), 'read'), 0, seen);
  t.deepEqual([...seen], [0, 0, 0], 'a still sees the old contents');
  hv.machine.memory.readBytes(hv.memory.machineFrame(b, gfn(10), 'read'), 0, seen);
  t.deepEqual([...seen], [1, 2, 3], 'b sees what was written');
  // A guest's page copy into a shared page faults, is charged, and leaves the others alone.
  const cowBefore = hv.counts(c)['cow-fault'] ?? 0;
  hv.memory.copyFrame(c.vcpus[0]!, gfn(11), gfn(40));
  t.is((hv.counts(c)['cow-fault'] ?? 0) - cowBefore, 1);
  t.not(hv.memory.machineFrame(c, gfn(11), 'read'), hv.memory.machineFrame(a, gfn(11), 'read'));
  t.is(hv.memory.machineFrame(a, gfn(11), 'read'), hv.memory.machineFrame(b, gfn(11), 'read'), 'a and b still share page 1');
});

test('pages with the same identity but different bytes are never merged; private pages never', (t) => {
  const { hv, vms } = threeVms();
  const [a, b] = vms as [Domain, Domain];
  // b's page 0 holds other bytes under the same key (a bug or a lie): the byte check refuses it.
  const mfn = hv.memory.machineFrame(b, gfn(10), 'write');
  hv.machine.memory.writeBytes(mfn, 0, Uint8Array.of(9));
  hv.machine.memory.setContent(mfn, fileContent(7, 0));
  // Private pages (written) with equal bytes stay apart: their contents are unknown to the scanner.
  for (const d of [a, b]) {
    hv.memory.zeroFrame(d.vcpus[0]!, gfn(30));
    hv.machine.memory.writeBytes(hv.memory.machineFrame(d, gfn(30), 'write'), 0, Uint8Array.of(5));
  }
  hv.runFor(50e6);
  t.not(hv.memory.machineFrame(a, gfn(10), 'read'), hv.memory.machineFrame(b, gfn(10), 'read'));
  t.not(hv.memory.machineFrame(a, gfn(30), 'read'), hv.memory.machineFrame(b, gfn(30), 'read'));
});

test('destroying VMs that share frames gives every frame back', (t) => {
  const { hv, vms } = threeVms();
  const free = hv.machine.memory.freeFrames;
  hv.runFor(50e6);
  for (const d of vms) hv.destroy(d);
  t.true(hv.machine.memory.freeFrames >= free + 3 * PAGES - 1);
  t.is(hv.service(GuestPhysicalMapToken)!.sharedFrames, 0);
});

test('the same run twice merges the same frames (deterministic)', (t) => {
  const layout = (): number[] => {
    const { hv, vms } = threeVms();
    hv.runFor(50e6);
    return vms.flatMap((d) => Array.from({ length: PAGES }, (_, p) => hv.memory.machineFrame(d, gfn(10 + p), 'read')));
  };
  t.deepEqual(layout(), layout());
});

test('sharing over a platform whose tables hold machine frames and that does not guard them is refused at composition, saying why', (t) => {
  const e = t.throws(() => createHypervisor({ machine: modern, plugins: [nativePlugin, pageSharingPlugin] }), { instanceOf: InvalidArgumentError });
  t.regex(e!.message, /nested paging/);
  t.throws(() => createHypervisor({ machine: modern, plugins: [hwAssistPlugin.configure({ largePages: true }), pageSharingPlugin] }), { message: /2 MiB/ });
});

test("the scanner's work is host work on a pCPU: charged there as hypervisor time, in proportion to pages hashed, compared and merged", (t) => {
  const { hv } = threeVms();
  hv.runFor(50e6);
  hv.runner.settleIdle();
  const stats = hv.service(PageScannerService)!.stats;
  t.true(stats.wakeUps > 0 && stats.scanned > 0 && stats.compared >= stats.merged && stats.merged > 0);
  const charged = hv.machine.pcpus.reduce((n, p) => n + p.account.cycles[CostCategory.Hypervisor]!, 0);
  t.true(
    hv.machine.cyclesToNs(charged) >= stats.cpuNs - 1,
    `the pCPUs hold the scanner's ${stats.cpuNs} ns (${hv.machine.cyclesToNs(charged)} ns of hypervisor time)`,
  );
  t.true(Math.abs(hv.hostWork.cycles - hv.machine.nsToCycles(stats.cpuNs)) < 1, "all of the host work is the scanner's");
  // More pages per wake-up, more work: the cost follows the events.
  const p = modern;
  const readNs = 4096 / p.memory.bandwidthGBps;
  const lower = stats.scanned * readNs + 2 * stats.compared * readNs;
  t.true(stats.cpuNs > lower, 'at least the page reads');
});
