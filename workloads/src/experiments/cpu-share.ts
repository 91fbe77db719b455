import { CostCategory, type Hypervisor, type VcpuProgram } from '@visorkit/core';
import { BvtDomain } from '@visorkit/xen-pv';
import { composeFor, type Experiment, type ExperimentContext, type ResultRow } from '../experiment/experiment.js';
import { createDomainFor, domainCounts, hostMemoryFor } from '../experiment/domain-input.js';

/**
 * A vCPU program that only computes: it spends every cycle it is given in user mode.
 *
 * @public
 */
export const computeOnly: VcpuProgram = {
  run(vcpu, budget) {
    vcpu.charge(CostCategory.GuestUser, budget);
    return 'budget';
  },
};

const WEIGHTS = [128, 256, 512, 1024];
/** The latency-sensitive domain wakes this often, works this long, and may warp by this much (BVT). */
const WAKE_PERIOD_NS = 10e6;
const WAKE_WORK_NS = 50e3;
/**
 * Work per wake-up measured: a light interactive domain (50 µs), and one using about its fair
 * share beside the hogs (3 ms every ~11.5 ms), where BVT's warp and credit's BOOST part ways.
 */
const WAKE_WORK_SIZES_NS = [WAKE_WORK_NS, 3e6];
const WARP_MS = 10;
const HOGS = 3;
const WAKE_WARMUP_NS = 100e6;
const SWEEP = [1, 2, 4, 8, 16];
const RUN_NS = 2e9;

/**
 * vCPUs of several domains sharing the machine's pCPUs under the platform's VcpuScheduler.
 * Four domains with weights 128…1024 measure proportional share; a latency-sensitive domain
 * beside three CPU hogs measures wake-up latency (`wakeup-latency-us`, mean, and
 * `wakeup-latency-max-us`, each row naming its `scheduler`); a sweep of 1…16 equal domains
 * measures fairness and what scheduling costs as the run queue grows. Where BVT and credit
 * differ shows with `visorkit sweep cpu-share --platforms xen-pv --vary xen-pv.scheduler=bvt,credit`.
 *
 * @public
 */
export const cpuShare: Experiment = {
  id: 'cpu-share',
  title: 'CPU share under the vCPU scheduler',
  description:
    'Domains with different weights share the pCPUs; each gets CPU in proportion to its weight, a latency-sensitive domain beside CPU hogs waits for the scheduler to run it, and scheduling overhead grows with the number of domains.',
  run(ctx: ExperimentContext): ResultRow[] {
    const rows: ResultRow[] = [];
    const sweepCounts = domainCounts(ctx, SWEEP);
    const total = ctx.platforms.length * (1 + sweepCounts.length);
    let done = 0;
    for (const platform of ctx.platforms) {
      // Weighted shares on one pCPU, so the weights alone decide.
      const weighted = hostMemoryFor(ctx, WEIGHTS.length, 16, undefined);
      const hv = composeFor(ctx, platform, { cores: 1, ...(weighted !== undefined ? { memoryMiB: weighted } : {}) });
      const domains = WEIGHTS.map((weight, i) => createDomainFor(ctx, hv, i, { name: `w${i}`, weight, memoryMiB: 16 }));
      for (const d of domains) hv.start(d, () => computeOnly);
      hv.runUntil(RUN_NS);
      const totalWeight = domains.reduce((a, d) => a + d.weight, 0);
      for (const d of domains) {
        rows.push({
          platform: platform.name,
          metric: 'cpu-share',
          value: share(hv, [d]),
          unit: 'fraction',
          counts: hv.counts(d),
          domain: d.name,
          weight: d.weight,
          expected: d.weight / totalWeight,
        });
      }
      // A latency-sensitive domain beside CPU hogs: how long after its timer fires it runs,
      // under this platform's scheduler (BVT's warp, credit's BOOST, CFS's sleeper placement).
      for (const workNs of WAKE_WORK_SIZES_NS) {
        const probe = composeFor(ctx, platform, { cores: 1 });
        const scheduler = probe.scheduler.name;
        const latency = wakeLatency(probe, workNs);
        const wakeRow = { platform: platform.name, unit: 'us', counts: latency.counts, scheduler, hogs: HOGS, workUs: workNs / 1e3 };
        rows.push({ ...wakeRow, metric: 'wakeup-latency-us', value: latency.meanUs, detail: { maxUs: latency.maxUs, wakes: latency.wakes } });
        rows.push({ ...wakeRow, metric: 'wakeup-latency-max-us', value: latency.maxUs, detail: { wakes: latency.wakes } });
      }
      ctx.progress?.(++done, total);
      // Equal domains on the profile's pCPUs: fairness and overhead against the queue length.
      for (const n of sweepCounts) {
        const mem = hostMemoryFor(ctx, n, 16, undefined);
        const sweep = composeFor(ctx, platform, mem !== undefined ? { memoryMiB: mem } : {});
        const ds = Array.from({ length: n }, (_, i) => createDomainFor(ctx, sweep, i, { name: `d${i}`, memoryMiB: 16 }));
        for (const d of ds) sweep.start(d, () => computeOnly);
        sweep.runUntil(RUN_NS);
        const shares = ds.map((d) => share(sweep, [d]));
        rows.push({ platform: platform.name, metric: 'jain-fairness', value: jain(shares), unit: 'index', counts: sweep.counts(), domains: n });
        rows.push({ platform: platform.name, metric: 'scheduler-overhead', value: overhead(sweep), unit: 'fraction', counts: sweep.counts(), domains: n });
        ctx.progress?.(++done, total);
      }
    }
    return rows;
  },
};

/**
 * One domain that blocks, is woken by a timer every {@link WAKE_PERIOD_NS} and works `workNs`
 * (default 50 µs: an interactive or I/O-bound guest), beside {@link HOGS} domains that only compute, on one
 * pCPU: the mean and worst delay from its wake-up to its running. Where schedulers differ —
 * BVT's warp and context-switch allowance against credit's BOOST and rate limit — shows here.
 *
 * @public
 */
export function wakeLatency(
  hv: Hypervisor,
  workNs: number = WAKE_WORK_NS,
): { meanUs: number; maxUs: number; wakes: number; counts: Readonly<Record<string, number>> } {
  const hogs = Array.from({ length: HOGS }, (_, i) => hv.createDomain({ name: `hog${i}`, memoryMiB: 16 }));
  const interactive = hv.createDomain({ name: 'interactive', memoryMiB: 16, extensions: BvtDomain.with({ warpMs: WARP_MS }) });
  const delays: number[] = [];
  let wokeAt = -1;
  const workCycles = workNs * hv.machine.profile.cpu.clockGhz;
  let wakes = 0;
  const probe: VcpuProgram = {
    run(vcpu) {
      // After a warm-up (the schedulers' first accounting periods): the steady state.
      if (wokeAt >= WAKE_WARMUP_NS) delays.push(vcpu.burstStart - wokeAt);
      vcpu.charge(CostCategory.GuestUser, workCycles);
      // Periods vary (by a fixed irrational step) so wake-ups fall anywhere within the hogs' slices.
      const period = WAKE_PERIOD_NS + ((wakes++ * 0.6180339887) % 1) * WAKE_PERIOD_NS * 0.3;
      hv.sim.schedule(Math.round(period), () => {
        wokeAt = hv.now;
        hv.runner.wake(vcpu);
      });
      return 'blocked';
    },
  };
  for (const d of hogs) hv.start(d, () => computeOnly);
  hv.start(interactive, () => probe);
  hv.runUntil(RUN_NS / 4);
  const mean = delays.length === 0 ? Number.NaN : delays.reduce((a, b) => a + b, 0) / delays.length;
  return { meanUs: mean / 1000, maxUs: Math.max(0, ...delays) / 1000, wakes: delays.length, counts: hv.counts(interactive) };
}

/** Fraction of the machine's CPU time that `domains` got. */
function share(hv: Hypervisor, domains: readonly { vcpus: readonly { runtimeNs: number }[] }[]): number {
  let ran = 0;
  for (const d of domains) for (const v of d.vcpus) ran += v.runtimeNs;
  return ran / (hv.now * hv.machine.pcpus.length);
}

/**
 * Jain's fairness index of `xs`: 1 when all equal, 1/n when one takes everything.
 *
 * @public
 */
export function jain(xs: readonly number[]): number {
  const sum = xs.reduce((a, b) => a + b, 0);
  const squares = xs.reduce((a, b) => a + b * b, 0);
  return squares === 0 ? 1 : (sum * sum) / (xs.length * squares);
}

/** Fraction of busy pCPU cycles spent on anything but the guests' own user work. */
function overhead(hv: Hypervisor): number {
  let busy = 0;
  let user = 0;
  for (const p of hv.machine.pcpus) {
    const c = p.account.cycles;
    user += c[CostCategory.GuestUser]!;
    busy += p.account.total - c[CostCategory.Idle]!;
  }
  return busy === 0 ? 0 : (busy - user) / busy;
}
