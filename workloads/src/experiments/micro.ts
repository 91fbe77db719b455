import { bootGuest } from '@visorkit/guest';
import { composeFor, type Experiment, type ExperimentContext, type ResultRow } from '../experiment/experiment.js';
import { createDomainFor, guestOptionsFor, hostMemoryFor } from '../experiment/domain-input.js';
import { LOOPBACK, MICRO_METRICS, microBenchmark, type MicroMetric, type Results } from '../lmbench/lmbench.js';

/** Files the benchmarks use: a small one to stat and open, and mappable data files. */
const FILES = { '/etc/passwd': 2048, '/data/4mb': 4 << 20, '/data/64mb': 64 << 20, '/data/256mb': 256 << 20 };

/**
 * Runs the given micro metrics in one freshly booted guest; returns µs and the counts.
 *
 * @public
 */
export function runMicro(
  ctx: ExperimentContext,
  platform: ExperimentContext['platforms'][number],
  metrics: readonly MicroMetric[],
): { results: Results; counts: Record<string, number> } {
  const hv = composeFor(ctx, platform, { cores: 1, memoryMiB: hostMemoryFor(ctx, 1, 1024, 2048, 1024)! });
  const domain = createDomainFor(ctx, hv, 0, { name: 'linux', memoryMiB: 1024 });
  const results: Results = {};
  // lmbench talks over loopback, so of the file's interfaces only the MTU applies.
  const mtu = guestOptionsFor(ctx, 0).mtu;
  const lmbench = { program: microBenchmark(metrics, results), textPages: 40, dataPages: 8, bssPages: 16 };
  const kernel = bootGuest(hv, domain, {
    programs: { '/bin/lmbench': lmbench },
    files: FILES,
    run: ['/bin/lmbench'],
    address: LOOPBACK,
    ...(mtu !== undefined ? { mtu } : {}),
  });
  hv.runWhile(() => !kernel.idle && domain.state === 'running');
  return { results, counts: hv.counts(domain) };
}

/**
 * Every micro metric on one platform, each in its own boot so its counts are its own.
 *
 * @public
 */
export function microRows(ctx: ExperimentContext, platform: ExperimentContext['platforms'][number]): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const metric of MICRO_METRICS) {
    const { results, counts } = runMicro(ctx, platform, [metric]);
    const value = results[metric];
    if (value !== undefined) rows.push({ platform: platform.name, metric, value, unit: 'us', counts });
  }
  return rows;
}

/**
 * The lmbench-style micro-benchmarks (latencies in µs) on every platform: the same guest
 * kernel and programs everywhere, so differences come from how each platform handles system
 * calls, page-table updates, faults and address-space switches.
 *
 * @public
 */
export const micro: Experiment = {
  id: 'micro',
  title: 'Micro-benchmarks (lmbench-style latencies)',
  description: 'null-call, null-io, stat, open-close, signals, fork, exec, sh, context switches, mmap and page faults, in µs.',
  run(ctx: ExperimentContext): ResultRow[] {
    const rows: ResultRow[] = [];
    let done = 0;
    for (const platform of ctx.platforms) {
      rows.push(...microRows(ctx, platform));
      ctx.progress?.(++done, ctx.platforms.length);
    }
    return rows;
  },
};
