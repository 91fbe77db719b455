import { bootGuest } from '@visorkit/guest';
import { composeFor, instancesShareOneKernel, type Experiment, type ExperimentContext, type PlatformSpec, type ResultRow } from '../experiment/experiment.js';
import { cintLike, type IterationCounter } from '../programs/cint-like.js';
import { densityRow } from './density.js';

const COUNTS = [1, 2, 4, 8, 16, 32, 64, 128];
const SLICES_MS = [50, 5];
const WARMUP_NS = 2e8;
const MEASURE_NS = 1e9;

/**
 * Aggregate iterations per second of `n` CINT-like instances on `platform` with `sliceMs` slices.
 *
 * @public
 */
export function scalabilityPoint(ctx: ExperimentContext, platform: PlatformSpec, n: number, sliceMs: number): { rate: number; counts: Record<string, number> } {
  const hv = composeFor(ctx, platform, { memoryMiB: 8192 });
  hv.scheduler.setTimeSlice?.(sliceMs * 1e6);
  const counters: IterationCounter[] = [];
  const programs = (k: number): Record<string, { program: ReturnType<typeof cintLike> }> => {
    const out: Record<string, { program: ReturnType<typeof cintLike> }> = {};
    for (let i = 0; i < k; i++) {
      const c = { iterations: 0 };
      counters.push(c);
      out[`/bin/cint${i}`] = { program: cintLike(c) };
    }
    return out;
  };
  if (instancesShareOneKernel(platform)) {
    // One OS (or one VM's kernel with a context per instance): the instances are its
    // processes, on every CPU, under its own scheduler.
    const d = hv.createDomain({ name: 'os', vcpus: hv.machine.pcpus.length, memoryMiB: 64 + 4 * n });
    const p = programs(n);
    const contexts = platform.isolation === 'contexts';
    const kernel = bootGuest(hv, d, { programs: p, run: contexts ? [] : Object.keys(p), timeSliceMs: sliceMs });
    if (contexts) Object.keys(p).forEach((path, i) => kernel.spawn(path, i + 1));
  } else {
    for (let i = 0; i < n; i++) {
      const d = hv.createDomain({ name: `dom${i}`, memoryMiB: 24 });
      const p = programs(1);
      bootGuest(hv, d, { programs: { '/bin/cint': Object.values(p)[0]! }, run: ['/bin/cint'], timeSliceMs: sliceMs });
    }
  }
  // Warm up for a full scheduling round, so every instance has booted before measuring.
  const warmup = WARMUP_NS + (1.2 * n * sliceMs * 1e6) / hv.machine.pcpus.length;
  hv.runUntil(warmup);
  const start = counters.reduce((a, c) => a + c.iterations, 0);
  hv.runUntil(warmup + MEASURE_NS);
  const done = counters.reduce((a, c) => a + c.iterations, 0) - start;
  return { rate: done / (MEASURE_NS / 1e9), counts: hv.counts() };
}

/**
 * The Xen paper's scalability experiment: a SPEC CINT2000-like CPU-bound workload on 1, 2,
 * 4 … 128 instances (domains, contexts or processes of one OS), aggregate throughput
 * normalised to one instance, with 50 ms and 5 ms time slices. Losses come from world
 * switches and from working sets evicted by the other instances and refetched from memory,
 * so shorter slices cost more. Then the density limit per platform (see {@link densityRow}):
 * how many instances fit before memory or throughput gives out.
 *
 * @public
 */
export const scalability: Experiment = {
  id: 'scalability',
  sweepAllProfiles: false,
  title: 'Scalability: aggregate throughput of 1 to 128 CPU-bound instances',
  description: 'SPEC CINT-like work on 1…128 instances, normalised to one, with 50 ms and 5 ms slices; and the density limit per platform.',
  run(ctx: ExperimentContext): ResultRow[] {
    const rows: ResultRow[] = [];
    const total = ctx.platforms.length * (SLICES_MS.length * COUNTS.length + 1);
    let done = 0;
    for (const platform of ctx.platforms) {
      for (const sliceMs of SLICES_MS) {
        let single = 0;
        for (const n of COUNTS) {
          const { rate, counts } = scalabilityPoint(ctx, platform, n, sliceMs);
          if (n === 1) single = rate;
          // One instance uses one CPU; more can use every CPU: normalise to that peak.
          const peak = single * Math.min(n, ctx.profile.cpu.cores);
          rows.push({ platform: platform.name, metric: `aggregate-${sliceMs}ms`, value: peak === 0 ? 0 : rate / peak, unit: 'normalised', counts, domains: n });
          ctx.progress?.(++done, total);
        }
      }
    }
    for (const platform of ctx.platforms) {
      rows.push(densityRow(ctx, platform));
      ctx.progress?.(++done, total);
    }
    return rows;
  },
};
