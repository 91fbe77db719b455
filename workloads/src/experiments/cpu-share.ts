import { CostCategory, type Hypervisor, type VcpuProgram } from '@visorkit/core';
import { composeFor, type Experiment, type ExperimentContext, type ResultRow } from '../experiment/experiment.js';
import { createDomainFor, domainCounts, hostMemoryFor } from '../experiment/domain-input.js';

/** A vCPU program that only computes: it spends every cycle it is given in user mode. */
export const computeOnly: VcpuProgram = {
  run(vcpu, budget) {
    vcpu.charge(CostCategory.GuestUser, budget);
    return 'budget';
  },
};

const WEIGHTS = [128, 256, 512, 1024];
const SWEEP = [1, 2, 4, 8, 16];
const RUN_NS = 2e9;

/**
 * vCPUs of several domains sharing the machine's pCPUs under the platform's VcpuScheduler.
 * Four domains with weights 128…1024 measure proportional share; a sweep of 1…16 equal
 * domains measures fairness and what scheduling costs as the run queue grows.
 */
export const cpuShare: Experiment = {
  id: 'cpu-share',
  title: 'CPU share under the vCPU scheduler',
  description: 'Domains with different weights share the pCPUs; each gets CPU in proportion to its weight, and scheduling overhead grows with the number of domains.',
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

/** Fraction of the machine's CPU time that `domains` got. */
function share(hv: Hypervisor, domains: readonly { vcpus: readonly { runtimeNs: number }[] }[]): number {
  let ran = 0;
  for (const d of domains) for (const v of d.vcpus) ran += v.runtimeNs;
  return ran / (hv.now * hv.machine.pcpus.length);
}

/** Jain's fairness index of `xs`: 1 when all equal, 1/n when one takes everything. */
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
