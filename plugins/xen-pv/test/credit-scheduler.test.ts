import 'reflect-metadata';
import test from 'ava';
import fc from 'fast-check';
import { CostCategory, ProportionalShareScheduler, createHypervisor, server2007, type Hypervisor, type Vcpu, type VcpuProgram } from '@visorkit/core';
import { CreditScheduler, xenPvPlugin } from '../src/index.js';

const WEIGHTS = [64, 128, 256, 512, 1024];
const hog: VcpuProgram = {
  run(vcpu, budget) {
    vcpu.charge(CostCategory.GuestUser, budget);
    return 'budget';
  },
};

function credit(cores: number): { hv: Hypervisor; sched: CreditScheduler } {
  const hv = createHypervisor({ machine: server2007, plugins: [xenPvPlugin.configure({ scheduler: 'credit' })], options: { cores } });
  if (!(hv.scheduler instanceof CreditScheduler)) throw new Error(`expected the credit scheduler, got ${hv.scheduler.name}`);
  return { hv, sched: hv.scheduler };
}

/** Runs busy domains of `weights` (and caps) on `cores` pCPUs for `ns`; each one's share of one pCPU after a 0.3 s warm-up. */
function hogShares(cores: number, specs: readonly { weight: number; cap?: number }[], ns: number): number[] {
  const { hv } = credit(cores);
  const rec = hv.machine.record({ accesses: false, tlb: false });
  const ds = specs.map((s, i) => hv.createDomain({ name: `d${i}`, memoryMiB: 16, weight: s.weight, cap: s.cap ?? 0 }));
  for (const d of ds) hv.start(d, () => hog);
  hv.runUntil(ns);
  const from = 0.3e9;
  return ds.map(
    (d) =>
      rec.runs.filter((r) => r.domain === d.id).reduce((n, r) => n + Math.max(0, Math.min(r.start + r.durationNs, ns) - Math.max(r.start, from)), 0) /
      (ns - from),
  );
}

/**
 * A domain that blocks, is woken by a timer every ~`periodNs` and works `workNs`, beside
 * `hogs` CPU hogs on one pCPU: its mean delay from wake-up to running (after a warm-up).
 */
function wakeDelay(hogs: number, periodNs: number, workNs: number, boost: boolean): number {
  const { hv, sched } = credit(1);
  sched.setBoost(boost);
  for (let i = 0; i < hogs; i++) hv.start(hv.createDomain({ name: `h${i}`, memoryMiB: 16 }), () => hog);
  const d = hv.createDomain({ name: 'interactive', memoryMiB: 16 });
  let wokeAt = -1;
  let n = 0;
  let sum = 0;
  const probe: VcpuProgram = {
    run(vcpu: Vcpu) {
      if (wokeAt >= 0.1e9) {
        sum += vcpu.burstStart - wokeAt;
        n++;
      }
      vcpu.charge(CostCategory.GuestUser, workNs * hv.machine.profile.cpu.clockGhz);
      // Wake-ups fall anywhere within the hogs' slices (a fixed irrational step).
      const period = periodNs * (1 + ((n * 0.618034) % 1) * 0.3);
      hv.sim.schedule(Math.round(period), () => {
        wokeAt = hv.now;
        hv.runner.wake(vcpu);
      });
      return 'blocked';
    },
  };
  hv.start(d, () => probe);
  hv.runUntil(0.6e9);
  return n === 0 ? Number.POSITIVE_INFINITY : sum / n;
}

test('credit: busy domains share pCPUs in proportion to their weights over long windows', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 }), fc.array(fc.constantFrom(...WEIGHTS), { minLength: 2, maxLength: 6 }), (cores, weights) => {
      const total = weights.reduce((a, b) => a + b, 0);
      // Shares no domain's single vCPU could exceed (one pCPU each at most).
      fc.pre(weights.every((w) => (cores * w) / total <= 1));
      const got = hogShares(
        cores,
        weights.map((weight) => ({ weight })),
        3.3e9,
      );
      weights.forEach((w, i) => {
        const fair = (cores * w) / total;
        t.true(
          Math.abs(got[i]! - fair) <= 0.05 * fair + 0.01,
          `weight ${w} on ${cores} pCPU(s): ${got[i]!.toFixed(3)} of a pCPU, fair ${fair.toFixed(3)} (weights ${weights.join(', ')})`,
        );
      });
    }),
    { seed: 18, numRuns: 12 },
  );
});

test('credit: a capped domain gets no more than its cap, alone or beside others, and its cap when alone', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 5, max: 95 }), fc.integer({ min: 0, max: 3 }), fc.constantFrom(...WEIGHTS), (cap, others, weight) => {
      const got = hogShares(1, [{ weight, cap }, ...Array.from({ length: others }, () => ({ weight: 256 }))], 1.5e9);
      t.true(got[0]! <= cap / 100 + 0.005, `cap ${cap}%: got ${(100 * got[0]!).toFixed(1)}% beside ${others} busy domain(s)`);
      if (others === 0) t.true(got[0]! >= cap / 100 - 0.01, `cap ${cap}% alone: got only ${(100 * got[0]!).toFixed(1)}%`);
    }),
    { seed: 18, numRuns: 15 },
  );
});

test('credit: BOOST, and the preemption on wake that comes with it here, lowers the wake-up latency of a domain that blocks and wakes beside CPU hogs', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 4, max: 20 }), fc.integer({ min: 10, max: 300 }), (hogs, periodMs, workUs) => {
      const boosted = wakeDelay(hogs, periodMs * 1e6, workUs * 1e3, true);
      const plain = wakeDelay(hogs, periodMs * 1e6, workUs * 1e3, false);
      t.true(
        boosted < plain,
        `${hogs} hog(s), waking every ~${periodMs} ms for ${workUs} µs: ${(boosted / 1e3).toFixed(0)} µs with BOOST, ${(plain / 1e3).toFixed(0)} µs without`,
      );
      // With BOOST it runs by the next rate-limit boundary.
      t.true(boosted <= 1e6 + 1, `mean wake-up latency with BOOST ${(boosted / 1e3).toFixed(0)} µs, above the 1 ms rate limit`);
    }),
    { seed: 18, numRuns: 10 },
  );
});

test('credit: no vCPU is switched out before it has run the rate limit (unless it blocks)', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 2 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 200, max: 3000 }),
      (cores, hogs, wakers, limitUs) => {
        const { hv, sched } = credit(cores);
        sched.setRateLimit(limitUs * 1e3);
        const rec = hv.machine.record({ accesses: false, tlb: false });
        const hogIds = new Set<number>();
        for (let i = 0; i < hogs; i++) {
          const d = hv.createDomain({ name: `h${i}`, memoryMiB: 16, weight: WEIGHTS[i % WEIGHTS.length]! });
          hogIds.add(d.id);
          hv.start(d, () => hog);
        }
        for (let i = 0; i < wakers; i++) {
          const d = hv.createDomain({ name: `w${i}`, memoryMiB: 16 });
          hv.start(d, (vcpu) => ({
            run(v) {
              v.charge(CostCategory.GuestUser, 0.2e6 * hv.machine.profile.cpu.clockGhz);
              hv.sim.schedule(3e6 + i * 0.7e6, () => hv.runner.wake(vcpu));
              return 'blocked';
            },
          }));
        }
        hv.runUntil(0.4e9);
        // A hog never blocks: each of its stretches on a pCPU ended by a switch is a preemption or a slice's end.
        const runs = [...rec.runs].sort((a, b) => a.pcpu - b.pcpu || a.start - b.start);
        let from = 0;
        for (let i = 1; i <= runs.length; i++) {
          const r = runs[i];
          const prev = runs[i - 1]!;
          const same =
            r !== undefined && r.pcpu === prev.pcpu && r.domain === prev.domain && r.vcpu === prev.vcpu && r.start <= prev.start + prev.durationNs + 1;
          if (same) continue;
          const stretch = prev.start + prev.durationNs - runs[from]!.start;
          if (hogIds.has(prev.domain) && r !== undefined && r.pcpu === prev.pcpu)
            t.true(stretch >= limitUs * 1e3 - 1, `a hog ran ${(stretch / 1e3).toFixed(0)} µs on pCPU ${prev.pcpu} before a switch; rate limit ${limitUs} µs`);
          from = i;
        }
      },
    ),
    { seed: 18, numRuns: 10 },
  );
});

test('credit: the same scenario schedules identically twice', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 2 }),
      fc.array(fc.record({ weight: fc.constantFrom(...WEIGHTS), cap: fc.constantFrom(0, 0, 40) }), { minLength: 1, maxLength: 5 }),
      (cores, specs) => {
        const trace = (): string => {
          const { hv } = credit(cores);
          const rec = hv.machine.record({ accesses: false, tlb: false });
          specs.forEach((s, i) => hv.start(hv.createDomain({ name: `d${i}`, memoryMiB: 16, ...s }), () => hog));
          hv.runUntil(0.3e9);
          return rec.runs.map((r) => `${r.pcpu}:${r.domain}.${r.vcpu}@${r.start}+${r.durationNs}`).join(' ');
        };
        t.is(trace(), trace());
      },
    ),
    { seed: 18, numRuns: 8 },
  );
});

test('credit: a vCPU parked by its cap when the scheduler is replaced live runs under the new one', (t) => {
  const { hv } = credit(1);
  const rec = hv.machine.record({ accesses: false, tlb: false });
  const capped = hv.createDomain({ name: 'capped', memoryMiB: 16, cap: 10 });
  const busy = hv.createDomain({ name: 'busy', memoryMiB: 16 });
  hv.start(capped, () => hog);
  hv.start(busy, () => hog);
  // Until it is held back: runnable, yet on no run queue (it has run its 3 ms of a period).
  const parked = (): boolean => capped.vcpus[0]!.state === 'runnable' && busy.vcpus[0]!.state === 'running' && hv.scheduler.queued === 0;
  while (!parked() && hv.now < 300e6) hv.runFor(0.5e6);
  t.true(parked(), 'the capped domain was never parked');
  const swappedAt = hv.now;
  hv.replaceScheduler(new ProportionalShareScheduler());
  hv.runUntil(swappedAt + 200e6);
  const after = rec.runs.filter((r) => r.domain === capped.id && r.start >= swappedAt).reduce((n, r) => n + r.durationNs, 0);
  t.true(after > 50e6, `the capped domain ran ${(after / 1e6).toFixed(1)} ms after the swap`);
});
