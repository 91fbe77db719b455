import 'reflect-metadata';
import test from 'ava';
import {
  CostCategory,
  LiveMigration,
  UnsupportedCapabilityError,
  createHypervisor,
  modern,
  type BurstExit,
  type Domain,
  type Hypervisor,
  type MigratableProgram,
  type MigrationMode,
  type Vcpu,
  type VcpuProgram,
} from '@visorkit/core';
import { hwAssistPlugin } from '../../src/index.js';

/** Writes `pagesPerMs` pages of a `workingSet`-page region per millisecond it runs. */
class MemoryHammer implements MigratableProgram {
  constructor(
    readonly hv: Hypervisor,
    readonly pagesPerMs: number,
    readonly workingSet: number,
    public cursor = 0,
  ) {}
  run(vcpu: Vcpu, budget: number): BurstExit {
    const ms = (budget * vcpu.nsPerCycle) / 1e6;
    const writes = Math.round(ms * this.pagesPerMs);
    for (let i = 0; i < writes; i++) this.hv.memory.zeroFrame(vcpu, (1000 + (this.cursor++ % this.workingSet)) as never);
    const used = vcpu.burstCycles;
    vcpu.charge(CostCategory.GuestUser, Math.max(1, budget - used));
    return 'budget';
  }
  migrateTo(target: Hypervisor): VcpuProgram {
    return new MemoryHammer(target, this.pagesPerMs, this.workingSet, this.cursor);
  }
}

function machines(): { src: Hypervisor; dst: Hypervisor } {
  const src = createHypervisor({ machine: modern, plugins: [hwAssistPlugin] });
  const dst = createHypervisor({ machine: modern, plugins: [hwAssistPlugin], options: { simulator: src.sim } });
  return { src, dst };
}

function migrate(mode: MigrationMode, pagesPerMs: number, workingSet: number, memoryMiB = 256, linkMbps = 1000) {
  const { src, dst } = machines();
  const d = src.createDomain({ name: 'web', memoryMiB });
  const v = d.vcpus[0]!;
  // A populated image: 16 MiB the guest touched at boot, with a recognisable marker.
  for (let g = 0; g < 4096; g++) src.memory.zeroFrame(v, g as never);
  src.machine.memory.writeBytes(src.memory.machineFrame(d, 7 as never, 'write'), 100, Uint8Array.of(1, 2, 3, 4));
  src.start(d, () => new MemoryHammer(src, pagesPerMs, workingSet));
  src.runFor(5e7);
  const m = new LiveMigration(src, d, dst, { mode, linkMbps, latencyUs: 50 });
  m.start();
  src.runWhile(() => m.report === undefined);
  dst.runFor(5e7);
  return { m, src, dst, report: m.report! };
}

test('an idle domain migrates live in one round with a downtime of about the state transfer', (t) => {
  const { report } = migrate('live', 0, 1);
  t.is(report.rounds.length, 1);
  t.true(report.downtimeMs < 2, `downtime ${report.downtimeMs} ms`);
  t.true(report.pagesSent >= 4096);
});

test('a web-server-like dirty rate converges: downtime under 1 s, and total time grows with the writable working set', (t) => {
  const small = migrate('live', 20, 200).report;
  const large = migrate('live', 20, 3000).report;
  t.true(small.downtimeMs < 1000, `downtime ${small.downtimeMs} ms`);
  t.true(large.totalMs > small.totalMs, `${large.totalMs} vs ${small.totalMs}`);
  t.true(small.rounds.length >= 2);
});

test('the migrated guest finds its memory as it left it and keeps running on the target', (t) => {
  const { dst, src, report } = migrate('live', 20, 200);
  const d = dst.domains.byName('web')!;
  const bytes = new Uint8Array(4);
  dst.machine.memory.readBytes(dst.memory.machineFrame(d, 7 as never, 'read'), 100, bytes);
  t.deepEqual([...bytes], [1, 2, 3, 4]);
  t.is(d.state, 'running');
  t.true(d.vcpus[0]!.runtimeNs > 0);
  t.is(src.domains.byName('web'), undefined, 'the source copy is destroyed');
  t.true(report.pagesSent > 0);
});

test('a guest dirtying faster than the link never converges live; auto-converge throttles it and cuts the downtime', (t) => {
  const live = migrate('live', 6, 20000, 256, 100).report;
  const converge = migrate('auto-converge', 6, 20000, 256, 100).report;
  t.is(live.rounds.length, 5, 'Xen stops after 5 rounds');
  t.true(converge.throttle > 0);
  t.true(converge.downtimeMs < live.downtimeMs, `${converge.downtimeMs} vs ${live.downtimeMs}`);
});

test('stop-and-copy pauses first: its downtime is the whole transfer', (t) => {
  const r = migrate('stop-and-copy', 20, 200).report;
  t.true(Math.abs(r.downtimeMs - r.totalMs) < 1e-9);
  t.true(r.downtimeMs > migrate('live', 20, 200).report.downtimeMs);
});

test('a platform without live migration refuses with the typed error', async (t) => {
  const { nativePlugin } = (await import('@visorkit/native' as string)) as { nativePlugin: typeof hwAssistPlugin };
  const src = createHypervisor({ machine: modern, plugins: [nativePlugin] });
  const dst = createHypervisor({ machine: modern, plugins: [hwAssistPlugin], options: { simulator: src.sim } });
  const d: Domain = src.createDomain({ name: 'x' });
  t.throws(() => new LiveMigration(src, d, dst, { mode: 'live', linkMbps: 1000, latencyUs: 50 }), { instanceOf: UnsupportedCapabilityError });
});

test('a domain with an SR-IOV function is refused live migration unless it may fall back to virtio', (t) => {
  const src = createHypervisor({ machine: modern, plugins: [hwAssistPlugin.configure({ io: 'sriov' })] });
  const dst = createHypervisor({ machine: modern, plugins: [hwAssistPlugin.configure({ io: 'sriov' })], options: { simulator: src.sim } });
  const d = src.createDomain({ name: 'vf', memoryMiB: 16 });
  src.network.attachInterface(d, '10.0.0.9', () => {});
  src.start(d, () => new MemoryHammer(src, 0, 1));
  src.runFor(1e7);
  t.throws(() => new LiveMigration(src, d, dst, { mode: 'live', linkMbps: 1000, latencyUs: 50 }), {
    instanceOf: UnsupportedCapabilityError,
    message: /SR-IOV/,
  });
  const m = new LiveMigration(src, d, dst, { mode: 'live', linkMbps: 1000, latencyUs: 50, fallBackFromPassthrough: true });
  t.is(src.deviceAssignment!.assignedDevices(d), 0);
  m.start();
  src.runWhile(() => m.report === undefined);
  t.is(dst.domains.byName('vf')!.state, 'running');
});

test('post-copy resumes at once on the target and faults in the pages it touches before they arrive', (t) => {
  const post = migrate('post-copy', 20, 3000);
  const live = migrate('live', 20, 3000).report;
  t.true(post.report.downtimeMs < 2, `downtime ${post.report.downtimeMs} ms`);
  t.true(post.report.downtimeMs < live.downtimeMs);
  t.true(post.report.demandFaults > 0);
  const d = post.dst.domains.byName('web')!;
  const bytes = new Uint8Array(4);
  post.dst.machine.memory.readBytes(post.dst.memory.machineFrame(d, 7 as never, 'read'), 100, bytes);
  t.deepEqual([...bytes], [1, 2, 3, 4]);
  t.is(post.src.domains.byName('web'), undefined);
});
