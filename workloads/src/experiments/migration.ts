import { Capability, LiveMigration, VisorkitError, gfn, type MigrationMode } from '@visorkit/core';
import { composeFor, type Experiment, type ExperimentContext, type ResultRow } from '../experiment/experiment.js';
import { DIRTYING_PROFILES, DirtyingGuest } from '../programs/dirtying-guest.js';

const MODES: readonly MigrationMode[] = ['live', 'post-copy', 'auto-converge', 'stop-and-copy'];
const MEMORY_MB = [64, 256];

/**
 * Live migration between two machines of the profile over their link: downtime, total time
 * and pages sent against memory size and dirty rate (idle, web-server-like and
 * memory-hammering guests), live pre-copy against post-copy, auto-converge and the
 * stop-and-copy baseline. Platforms that cannot migrate are skipped.
 *
 * @public
 */
export const migration: Experiment = {
  id: 'migration',
  title: 'Live migration: downtime and total time',
  description: 'Pre-copy, post-copy, auto-converge and stop-and-copy migrations of idle, web-server-like and memory-hammering guests.',
  run(ctx: ExperimentContext): ResultRow[] {
    const rows: ResultRow[] = [];
    const total = ctx.platforms.length * MODES.length * MEMORY_MB.length * DIRTYING_PROFILES.length;
    let done = 0;
    const linkMbps = ctx.profile.link.gbps * 1000;
    for (const platform of ctx.platforms) {
      for (const memoryMb of MEMORY_MB) {
        for (const workload of DIRTYING_PROFILES) {
          for (const mode of MODES) {
            const source = composeFor(ctx, platform);
            if (!source.has(Capability.LiveMigration)) {
              done += MODES.length;
              break;
            }
            const target = platform.compose(ctx.profile, { seed: ctx.seed, simulator: source.sim });
            const d = source.createDomain({ name: 'guest', memoryMiB: memoryMb });
            // The guest has touched all its memory by the time it is migrated.
            const v = d.vcpus[0]!;
            const frames = source.memory.frames(d);
            for (let g = 0; g < frames; g++) source.memory.zeroFrame(v, gfn(g));
            source.start(d, () => new DirtyingGuest(source, workload, 256));
            source.runFor(2e8);
            const m = new LiveMigration(source, d, target, { mode, linkMbps, latencyUs: ctx.profile.link.latencyUs, fallBackFromPassthrough: true });
            try {
              m.start();
            } catch (e) {
              // A mode this platform refuses (typed error) has no row; anything else is a bug.
              if (VisorkitError.is(e) && e.code === 'UNSUPPORTED_CAPABILITY') {
                ctx.progress?.(++done, total);
                continue;
              }
              throw e;
            }
            source.runWhile(() => m.report === undefined);
            const r = m.report!;
            const keys = { mode, 'memory-mb': memoryMb, workload: workload.name };
            const counts = { ...source.counts(), rounds: r.rounds.length, 'demand-faults': r.demandFaults };
            rows.push({ platform: platform.name, metric: 'downtime-ms', value: r.downtimeMs, unit: 'ms', counts, ...keys });
            rows.push({ platform: platform.name, metric: 'total-ms', value: r.totalMs, unit: 'ms', counts, ...keys });
            rows.push({ platform: platform.name, metric: 'pages-sent', value: r.pagesSent, unit: 'pages', counts, ...keys });
            ctx.progress?.(++done, total);
          }
        }
      }
    }
    return rows;
  },
};
