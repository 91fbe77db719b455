import type { Experiment, ExperimentContext, PlatformSpec, ResultRow } from '../experiment/experiment.js';
import { runInstances, type WorkloadInstance } from '../experiment/instances.js';
import { domainCounts } from '../experiment/domain-input.js';
import {
  buildInstance,
  dbenchInstance,
  ddInstance,
  forkBombInstance,
  osdbInstance,
  osdbIrInstance,
  osdbOltpInstance,
  specCintInstance,
  specwebInstance,
} from '../experiment/benchmark-instances.js';

const WARMUP_NS = 1.5e9;
const MEASURE_NS = 1e9;

/** The platform results are normalised to: the run's bare-metal one, else the first. */
function baselineOf(ctx: ExperimentContext): PlatformSpec {
  return ctx.platforms.find((p) => p.isolation === 'processes') ?? ctx.platforms[0]!;
}

/**
 * The workloads of the seed's relative-performance figure, in its order.
 *
 * @public
 */
export const RELATIVE_WORKLOADS: readonly WorkloadInstance[] = [
  specCintInstance,
  buildInstance,
  osdbIrInstance,
  osdbOltpInstance,
  dbenchInstance,
  specwebInstance(),
];

/**
 * The seed's relative-performance figure: each workload alone in one guest (SPEC CINT-like,
 * a kernel build, OSDB information retrieval and OLTP, dbench, SPECweb with clients on
 * another machine), its score on each platform as a fraction of bare metal's.
 *
 * @public
 */
export const relative: Experiment = {
  id: 'relative',
  sweepAllProfiles: false,
  title: 'Relative performance of whole workloads, normalised to native',
  description: 'SPEC CINT-like, build, OSDB-IR, OSDB-OLTP, dbench-like and SPECweb-like scores as a fraction of native.',
  run(ctx: ExperimentContext): ResultRow[] {
    const rows: ResultRow[] = [];
    const base = baselineOf(ctx);
    let done = 0;
    for (const workload of RELATIVE_WORKLOADS) {
      const scores = new Map<string, { rate: number; counts: Record<string, number> }>();
      for (const platform of [base, ...ctx.platforms.filter((p) => p !== base)]) {
        const { rates, counts } = runInstances(ctx, platform, [workload], { memoryMiB: 512, warmupNs: WARMUP_NS, measureNs: MEASURE_NS });
        scores.set(platform.name, { rate: rates[0]!, counts });
      }
      const native = scores.get(base.name)!.rate;
      for (const platform of ctx.platforms) {
        const s = scores.get(platform.name)!;
        rows.push({
          platform: platform.name,
          metric: workload.name,
          value: native > 0 ? s.rate / native : 0,
          unit: 'fraction of native',
          counts: s.counts,
          workload: workload.name,
          detail: { score: s.rate, unit: workload.unit },
        });
      }
      ctx.progress?.(++done, RELATIVE_WORKLOADS.length);
    }
    return rows;
  },
};

const INSTANCES = [1, 2, 4, 8, 16];

/**
 * The seed's concurrent-servers comparison: 1, 2, 4, 8, 16 SPECweb-like servers, as
 * processes of one OS (bare metal) or one per domain or container, under a saturating load
 * from another machine; aggregate requests per second.
 *
 * @public
 */
export const concurrent: Experiment = {
  id: 'concurrent',
  sweepAllProfiles: false,
  title: 'Concurrent web servers: processes of one OS versus one per domain',
  description: '1, 2, 4, 8, 16 SPECweb-like servers; aggregate requests per second.',
  run(ctx: ExperimentContext): ResultRow[] {
    const rows: ResultRow[] = [];
    const sizes = domainCounts(ctx, INSTANCES);
    let done = 0;
    for (const platform of ctx.platforms) {
      for (const n of sizes) {
        const web = specwebInstance(Math.max(4, Math.ceil(32 / n)));
        const { rates, counts } = runInstances(
          ctx,
          platform,
          Array.from({ length: n }, () => web),
          { memoryMiB: 128, warmupNs: 7e8, measureNs: 1e9 },
        );
        const metric = platform.isolation === 'processes' ? 'throughput-processes' : 'throughput-domains';
        rows.push({ platform: platform.name, metric, value: rates.reduce((a, b) => a + b, 0), unit: 'requests/s', counts, instances: n });
        ctx.progress?.(++done, ctx.platforms.length * sizes.length);
      }
    }
    return rows;
  },
};

/** Each kernel's process limit in the isolation runs: the bomb's user's `ulimit -u`. */
const ISOLATION_PROCESS_LIMIT = 1024;

/**
 * The seed's performance-isolation experiment: four equal instances — an OSDB-IR database and
 * a SPECweb-like server (the well-behaved ones), a `dd` disk hog and a fork bomb — as
 * processes of one OS (bare metal) or one domain or container each. Each well-behaved
 * workload's `degradation` is the fraction of its throughput lost against the same run
 * without the two antisocial instances.
 *
 * @public
 */
export const isolation: Experiment = {
  id: 'isolation',
  sweepAllProfiles: false,
  title: 'Performance isolation: a database and a web server beside a disk hog and a fork bomb',
  description: 'Degradation of OSDB-IR and SPECweb-like throughput caused by dd and a fork bomb, per platform.',
  run(ctx: ExperimentContext): ResultRow[] {
    const rows: ResultRow[] = [];
    // The benchmarks offer a set load, as OSDB's users and SPECweb99's connections do: each
    // user thinks 20 ms between queries, each of 16 connections 40 ms between requests.
    const good = [osdbInstance('ir', 20e6), specwebInstance(16, 40e6)];
    // The hogs arrive at a warmed-up system and get half a second to spread out.
    const options = { memoryMiB: 256, warmupNs: WARMUP_NS, measureNs: MEASURE_NS, maxProcesses: ISOLATION_PROCESS_LIMIT, settleNs: 5e8 };
    let done = 0;
    for (const platform of ctx.platforms) {
      const alone = runInstances(ctx, platform, good, options);
      const crowded = runInstances(ctx, platform, [...good, ddInstance, forkBombInstance], { ...options, startLate: [2, 3] });
      good.forEach((w, i) => {
        const base = alone.rates[i]!;
        rows.push({
          platform: platform.name,
          metric: 'degradation',
          value: base > 0 ? Math.max(0, 1 - crowded.rates[i]! / base) : 0,
          unit: 'fraction',
          counts: crowded.counts,
          workload: w.name,
          detail: { alone: base, crowded: crowded.rates[i]!, unit: w.unit },
        });
      });
      ctx.progress?.(++done, ctx.platforms.length);
    }
    return rows;
  },
};
