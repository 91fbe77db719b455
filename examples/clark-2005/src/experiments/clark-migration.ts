import { XEN_2005_PRECOPY, XEN_2005_STUN_WRITE_FAULTS } from '@visorkit/core';
import type { Experiment, ExperimentContext, ResultRow } from '@visorkit/workloads';
import { migrateUnderLoad } from '../migrate-under-load.js';
import { MIGRATION_WORKLOADS, type MigrationWorkload, type WorkloadScale } from '../testbed.js';

/**
 * What a run of the experiment uses: the paper's sizes unless a test shrinks them.
 *
 * @public
 */
export interface ClarkMigrationOptions {
  readonly workloads?: readonly MigrationWorkload[];
  readonly scale?: (w: MigrationWorkload) => WorkloadScale;
  /**
   * Stun processes that take more than {@link XEN_2005_STUN_WRITE_FAULTS} write faults in a
   * round (the paper's optional paravirtual optimisation); off by default, as in its save tool.
   */
  readonly stunning?: boolean;
}

/**
 * `clark-2005:migration` — each of the paper's workloads migrated live with the 2005 save
 * tool, on its testbed: per workload (key `workload`) `downtime-ms`, `total-ms`, `mb-sent`
 * and `rounds`, and the service its users saw while it ran, one row per window (key `t-ms`,
 * ms after the migration began): throughput for apache-static, conforming clients for
 * specweb99, added snapshot latency for quake3, the write rate for mmuncher. The `total-ms`
 * row's `detail` holds the rounds and the stop, to mark them on the time series.
 *
 * @public
 */
export function clarkMigrationExperiment(options: ClarkMigrationOptions = {}): Experiment {
  const workloads = options.workloads ?? MIGRATION_WORKLOADS;
  const scaleOf = options.scale ?? ((w: MigrationWorkload) => w.paper);
  const precopy = options.stunning === true ? { ...XEN_2005_PRECOPY, stunWriteFaults: XEN_2005_STUN_WRITE_FAULTS } : XEN_2005_PRECOPY;
  return {
    id: 'migration',
    title: 'Live migration under load (Clark et al. 2005)',
    description:
      'Apache, SPECweb99, Quake 3 and MMuncher VMs migrated live by the 2005 save tool: downtime, total time, data sent, rounds, and the service clients saw meanwhile.',
    sweepAllProfiles: false,
    inMainJob: false,
    run(ctx: ExperimentContext): ResultRow[] {
      const rows: ResultRow[] = [];
      let done = 0;
      const total = ctx.platforms.length * workloads.length;
      for (const platform of ctx.platforms) {
        for (const workload of workloads) {
          const run = migrateUnderLoad(platform, ctx.profile, workload, scaleOf(workload), ctx.seed, { precopy });
          const r = run.report;
          const keys = { workload: workload.name };
          const base = { platform: platform.name, counts: run.counts, ...keys };
          rows.push({ ...base, metric: 'downtime-ms', value: r.downtimeMs, unit: 'ms' });
          rows.push({
            ...base,
            metric: 'total-ms',
            value: r.totalMs,
            unit: 'ms',
            detail: { rounds: r.rounds, pausedAtMs: r.pausedAtMs, resumedAtMs: r.resumedAtMs, stopReason: r.stopReason },
          });
          rows.push({ ...base, metric: 'mb-sent', value: r.bytesSent / 1e6, unit: 'MB' });
          rows.push({ ...base, metric: 'rounds', value: r.rounds.length, unit: 'rounds' });
          for (const s of serviceSeries(workload, run.series))
            rows.push({ ...base, metric: s.metric, value: s.value, unit: s.unit ?? run.unit, 't-ms': s.tMs });
          ctx.progress?.(++done, total);
        }
      }
      return rows;
    },
  };
}

/**
 * The series as the figures show it: quake3's as latency added over what players saw before
 * the migration began (the mean of the windows before it), the others as measured.
 */
function serviceSeries(
  workload: MigrationWorkload,
  series: readonly { tMs: number; value: number }[],
): { metric: string; unit?: string; tMs: number; value: number }[] {
  if (workload.name !== 'quake3') return series.map((s) => ({ metric: metricOf(workload), tMs: Math.round(s.tMs), value: s.value }));
  const before = series.filter((s) => s.tMs <= 0);
  const baseline = before.length === 0 ? 0 : before.reduce((a, s) => a + s.value, 0) / before.length;
  return series.map((s) => ({ metric: 'added-latency', unit: 'ms', tMs: Math.round(s.tMs), value: Math.max(0, s.value - baseline) }));
}

function metricOf(workload: MigrationWorkload): string {
  const names: Record<string, string> = { 'apache-static': 'throughput', specweb99: 'conforming-clients', mmuncher: 'write-rate' };
  return names[workload.name] ?? 'service';
}
