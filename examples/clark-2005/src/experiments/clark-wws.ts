import { bootGuest } from '@visorkit/guest';
import { cintLike, type Experiment, type ExperimentContext, type ResultRow } from '@visorkit/workloads';
import { buildTestbed, MIGRATION_WORKLOADS, type MigrationWorkload, type WorkloadScale } from '../testbed.js';
import type { ServiceProbe } from '../workloads/service-probe.js';

/**
 * How often the dirty bitmap is read, and for how long (Clark et al. §4's tracing).
 *
 * @public
 */
export const WWS_PERIOD_NS = 50e6;
/** @public */
export const WWS_WINDOW_NS = 8e9;

/** SPEC CINT-like: the workloads package's CPU-bound program (a few MiB walked per iteration) in a 256 MB VM. */
const CINT_LIKE: MigrationWorkload = {
  name: 'cint-like',
  description: 'the CPU-bound SPEC CINT-like program of the workloads package in a 256 MB VM',
  paper: { vmMiB: 256, clients: 0 },
  warmupNs: 1e9,
  windowNs: 500e6,
  boot(server, domain) {
    const counter = { iterations: 0 };
    const probe: ServiceProbe = { metric: 'iterations', unit: 'iterations', sample: () => counter.iterations };
    const kernel = bootGuest(server, domain, { address: '10.0.0.1', programs: { '/bin/cint': { program: cintLike(counter) } }, run: ['/bin/cint'] });
    return { kernel, probe };
  },
};

/**
 * Options of a run (tests shrink the sizes).
 *
 * @public
 */
export interface ClarkWwsOptions {
  readonly workloads?: readonly MigrationWorkload[];
  readonly scale?: (w: MigrationWorkload) => WorkloadScale;
  readonly windowNs?: number;
}

/**
 * `clark-2005:wws` — the writable working set: with log-dirty mode on, the dirty bitmap is
 * read and cleared every 50 ms for 8 s while each workload runs (no migration), so the rows
 * show how many pages each 50 ms dirtied (`pages-dirtied`, key `t-ms`), their mean, and how
 * many distinct pages the whole window wrote (`distinct-pages`): what a pre-copy round would
 * have to send again.
 *
 * @public
 */
export function clarkWwsExperiment(options: ClarkWwsOptions = {}): Experiment {
  const workloads = options.workloads ?? [...MIGRATION_WORKLOADS, CINT_LIKE];
  const scaleOf = options.scale ?? ((w: MigrationWorkload) => w.paper);
  const windowNs = options.windowNs ?? WWS_WINDOW_NS;
  return {
    id: 'wws',
    title: 'Writable working sets (Clark et al. 2005)',
    description: 'Pages dirtied per 50 ms over an 8 s window of each migration workload and of a CPU-bound CINT-like program.',
    sweepAllProfiles: false,
    inMainJob: false,
    run(ctx: ExperimentContext): ResultRow[] {
      const rows: ResultRow[] = [];
      let done = 0;
      for (const platform of ctx.platforms) {
        for (const workload of workloads) {
          const tb = buildTestbed(platform, ctx.profile, workload, scaleOf(workload), ctx.seed);
          const memory = tb.source.dirtyLog;
          if (memory === undefined) break;
          tb.source.runUntil(workload.warmupNs);
          const start = tb.sim.now;
          memory.startDirtyLog(tb.domain);
          const written = new Set<number>();
          const series: { tMs: number; pages: number }[] = [];
          for (let t = WWS_PERIOD_NS; t <= windowNs; t += WWS_PERIOD_NS) {
            tb.source.runUntil(start + t);
            const dirty = memory.collectDirty(tb.domain);
            for (const g of dirty) written.add(g);
            series.push({ tMs: t / 1e6, pages: dirty.length });
          }
          memory.stopDirtyLog(tb.domain);
          const base = { platform: platform.name, workload: workload.name, counts: tb.source.counts(tb.domain) };
          for (const s of series) rows.push({ ...base, metric: 'pages-dirtied', value: s.pages, unit: 'pages', 't-ms': s.tMs });
          rows.push({ ...base, metric: 'mean-pages-dirtied', value: series.reduce((a, s) => a + s.pages, 0) / series.length, unit: 'pages' });
          rows.push({ ...base, metric: 'distinct-pages', value: written.size, unit: 'pages' });
          ctx.progress?.(++done, ctx.platforms.length * workloads.length);
        }
      }
      return rows;
    },
  };
}
