import 'reflect-metadata';
import test from 'ava';
import { createHypervisor, server2007, type Hypervisor } from '@visorkit/core';
import { computeOnly, wakeLatency } from '@visorkit/workloads';
import { CreditScheduler, xenPvPlugin } from '@visorkit/xen-pv';

function compose(scheduler: 'bvt' | 'credit'): Hypervisor {
  return createHypervisor({ machine: server2007, plugins: [xenPvPlugin.configure({ scheduler })], options: { cores: 1 } });
}

function shares(hv: Hypervisor, specs: readonly { weight?: number; cap?: number }[], ns: number): number[] {
  const ds = specs.map((s, i) => hv.createDomain({ name: `d${i}`, memoryMiB: 16, ...s }));
  for (const d of ds) hv.start(d, () => computeOnly);
  hv.runUntil(ns);
  return ds.map((d) => d.vcpus[0]!.runtimeNs / hv.now);
}

for (const scheduler of ['bvt', 'credit'] as const) {
  test(`${scheduler}: CPU-bound domains share one pCPU in proportion to their weights`, (t) => {
    const s = shares(compose(scheduler), [{ weight: 128 }, { weight: 256 }, { weight: 512 }, { weight: 1024 }], 3e9);
    const total = 128 + 256 + 512 + 1024;
    [128, 256, 512, 1024].forEach((w, i) => t.true(Math.abs(s[i]! - w / total) < 0.03, `weight ${w}: ${s[i]!.toFixed(3)} vs ${(w / total).toFixed(3)}`));
  });
}

test('bvt: an uncapped domain alone takes the whole pCPU (work-conserving)', (t) => {
  const [alone] = shares(compose('bvt'), [{}], 5e8);
  t.true(alone! > 0.99, `${alone}`);
});

test('a latency-sensitive domain beside CPU hogs: BVT (its warp) and credit (BOOST, past the 1 ms rate limit) both run it within 100 µs of waking', (t) => {
  const bvt = wakeLatency(compose('bvt'));
  const credit = wakeLatency(compose('credit'));
  t.true(bvt.maxUs <= 100 + 1, `bvt worst ${bvt.maxUs} µs`);
  t.true(credit.maxUs <= 100 + 1, `credit worst ${credit.maxUs} µs`);
});

test('credit without BOOST makes a waking domain wait behind the hogs: wake-up latency grows by orders of magnitude', (t) => {
  const boosted = wakeLatency(compose('credit'));
  const hv = compose('credit');
  const scheduler = hv.scheduler;
  if (!(scheduler instanceof CreditScheduler)) return t.fail(`expected credit, got ${scheduler.name}`);
  scheduler.setBoost(false);
  const plain = wakeLatency(hv);
  t.true(plain.meanUs > 10 * boosted.meanUs, `without BOOST ${plain.meanUs} µs, with ${boosted.meanUs} µs`);
});

test('without a warp BVT makes a waking domain wait its turn: latency is the context-switch allowance, not an MCU', (t) => {
  const hv = compose('bvt');
  const hogs = Array.from({ length: 3 }, (_, i) => hv.createDomain({ name: `h${i}`, memoryMiB: 16 }));
  for (const d of hogs) hv.start(d, () => computeOnly);
  hv.runUntil(1e8);
  // Each hog runs for the allowance past the next one's virtual time before a switch.
  const switches = hogs.reduce((n, d) => n + (hv.counts(d)['world-switch'] ?? 0), 0);
  t.true(switches > 0 && switches < 100, `${switches} world switches in 100 ms`);
});
