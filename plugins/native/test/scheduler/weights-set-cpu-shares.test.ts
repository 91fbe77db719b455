import 'reflect-metadata';
import test from 'ava';
import { CostCategory, createHypervisor, server2007, type Hypervisor, type VcpuProgram } from '@visorkit/core';
import { nativePlugin } from '../../src/index.js';

const compute: VcpuProgram = {
  run(vcpu, budget) {
    vcpu.charge(CostCategory.GuestUser, budget);
    return 'budget';
  },
};

function runtimeMs(hv: Hypervisor, name: string): number {
  return hv.domains.byName(name)!.vcpus.reduce((t, v) => t + v.runtimeNs, 0) / 1e6;
}

test('two domains weighted 2:1 on one pCPU get CPU time 2:1 within 5%', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { cores: 1 } });
  hv.start(hv.createDomain({ name: 'heavy', weight: 512 }), () => compute);
  hv.start(hv.createDomain({ name: 'light', weight: 256 }), () => compute);
  hv.runUntil(1e9);
  const ratio = runtimeMs(hv, 'heavy') / runtimeMs(hv, 'light');
  t.true(Math.abs(ratio - 2) / 2 < 0.05, `ratio ${ratio}`);
});

test('the scheduler is work-conserving: two busy domains on two pCPUs each get a whole pCPU', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { cores: 2 } });
  hv.start(hv.createDomain({ name: 'a' }), () => compute);
  hv.start(hv.createDomain({ name: 'b', weight: 1024 }), () => compute);
  hv.runUntil(1e9);
  t.true(runtimeMs(hv, 'a') > 990);
  t.true(runtimeMs(hv, 'b') > 990);
});

test('1,000 runnable vCPUs are each scheduled within 10% of the mean', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { cores: 2, memoryMiB: 32768 } });
  const domains = Array.from({ length: 1000 }, (_, i) => hv.createDomain({ name: `d${i}`, memoryMiB: 1 }));
  for (const d of domains) hv.start(d, () => compute);
  // Long enough for ~40 minimum-granularity slices each: fairness, not slice rounding.
  hv.runUntil(15e9);
  const runs = domains.map((d) => d.vcpus[0]!.runtimeNs);
  const mean = runs.reduce((a, b) => a + b, 0) / runs.length;
  const worst = Math.max(...runs.map((r) => Math.abs(r - mean) / mean));
  t.true(worst < 0.1, `worst deviation ${worst}`);
});

test('a blocked vCPU takes no CPU and runs again once woken', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { cores: 1 } });
  let sleeping = true;
  const sleeper: VcpuProgram = {
    run(vcpu, budget) {
      if (sleeping) return 'blocked';
      vcpu.charge(CostCategory.GuestUser, budget);
      return 'budget';
    },
  };
  const d = hv.createDomain({ name: 'sleeper' });
  hv.start(d, () => sleeper);
  hv.runUntil(1e8);
  t.is(d.vcpus[0]!.state, 'blocked');
  const before = d.vcpus[0]!.runtimeNs;
  sleeping = false;
  hv.runner.wake(d.vcpus[0]!);
  hv.runUntil(2e8);
  t.true(d.vcpus[0]!.runtimeNs - before > 9e7);
});

test('pCPU accounts add up to elapsed time once bursts have ended', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { cores: 2 } });
  for (let i = 0; i < 3; i++) hv.start(hv.createDomain({ name: `d${i}`, weight: 128 << i }), () => compute);
  hv.runUntil(5e8);
  for (const d of hv.domains.all()) hv.pause(d);
  hv.runUntil(6e8); // let in-flight bursts end
  for (const p of hv.machine.pcpus) {
    const expected = hv.now * server2007.cpu.clockGhz;
    t.true(Math.abs(p.account.total - expected) / expected < 1e-9, `pcpu ${p.index}: ${p.account.total} vs ${expected}`);
  }
});

test('pausing one domain leaves the others running, and unpausing resumes it', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { cores: 1 } });
  const a = hv.createDomain({ name: 'a' });
  const b = hv.createDomain({ name: 'b' });
  hv.start(a, () => compute);
  hv.start(b, () => compute);
  hv.runUntil(1e8);
  hv.pause(a);
  const aBefore = a.vcpus[0]!.runtimeNs;
  const bBefore = b.vcpus[0]!.runtimeNs;
  hv.runUntil(3e8);
  t.true(a.vcpus[0]!.runtimeNs - aBefore < 7e6, 'at most one burst after the pause');
  t.true(b.vcpus[0]!.runtimeNs - bBefore > 1.8e8);
  hv.unpause(a);
  hv.runUntil(5e8);
  t.true(a.vcpus[0]!.runtimeNs - aBefore > 5e7);
});

test('a vCPU waking after a long sleep gets a fair share, not the CPU time it missed', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { cores: 1 } });
  let asleep = true;
  const sleeper: VcpuProgram = {
    run(vcpu, budget) {
      if (asleep) return 'blocked';
      vcpu.charge(CostCategory.GuestUser, budget);
      return 'budget';
    },
  };
  const busy = hv.createDomain({ name: 'busy' });
  const late = hv.createDomain({ name: 'late' });
  hv.start(busy, () => compute);
  hv.start(late, () => sleeper);
  hv.runUntil(1e9);
  asleep = false;
  hv.runner.wake(late.vcpus[0]!);
  const busyBefore = runtimeMs(hv, 'busy');
  const lateBefore = runtimeMs(hv, 'late');
  hv.runUntil(1.1e9);
  const gotLate = runtimeMs(hv, 'late') - lateBefore;
  const gotBusy = runtimeMs(hv, 'busy') - busyBefore;
  // Sleeper fairness: placed at most latency/2 (3 ms) behind, so ~50 ms + 3 ms of 100 ms.
  t.true(gotLate < 56 && gotBusy > 44, `late ${gotLate} ms, busy ${gotBusy} ms`);
});

test('slices divide the target latency by weight, never below the minimum granularity', (t) => {
  const hv = createHypervisor({
    machine: server2007,
    plugins: [nativePlugin.configure({ schedulerLatencyMs: 6, minGranularityMs: 0.75 })],
    options: { cores: 1 },
  });
  const heavy = hv.createDomain({ name: 'heavy', weight: 512 });
  const light = hv.createDomain({ name: 'light', weight: 256 });
  hv.scheduler.wake(heavy.vcpus[0]!, 0);
  hv.scheduler.wake(light.vcpus[0]!, 0);
  t.is(hv.scheduler.sliceNs(heavy.vcpus[0]!, 0), 4e6);
  t.is(hv.scheduler.sliceNs(light.vcpus[0]!, 0), 2e6);
  for (let i = 0; i < 20; i++) hv.scheduler.wake(hv.createDomain({ name: `x${i}`, weight: 256 }).vcpus[0]!, 0);
  t.is(hv.scheduler.sliceNs(light.vcpus[0]!, 0), 0.75e6);
  t.is(hv.scheduler.name, 'cfs');
});
