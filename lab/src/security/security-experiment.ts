import type { Experiment, ExperimentContext, PlatformSpec, ResultRow } from '@visorkit/workloads';
import { composeFor } from '@visorkit/workloads';
import { runFuzzSync } from '../fuzz/run-fuzz.js';
import { FUZZ_TARGETS } from '../fuzz/fuzz-targets.js';
import { TENANTS, compromiseReach, placeTenants } from './compromise-reach.js';
import { entryPoints } from './entry-points.js';

/** Hostile operations the experiment aims at each platform (the soak is `npm run fuzz`). */
export const SECURITY_FUZZ_OPS = 10_000;

/** The fuzz target (bundled plugin) behind a platform, by the platform's plugins. */
function fuzzPluginOf(platform: PlatformSpec): string | undefined {
  for (const [plugin, targets] of Object.entries(FUZZ_TARGETS)) if (targets.some((t) => t.platform.name === platform.name)) return plugin;
  return platform.name.startsWith('hvm-') ? 'hw-assist' : undefined;
}

/**
 * The seed's security claim, measured: per platform, the entry points a guest can reach in
 * code it shares with other tenants (a shared kernel's system calls, or the hypervisor's
 * hypercalls and VM exits), the fuzzer's hostile operations and breaches, and what a kernel
 * compromise reaches — the share of the other tenants whose memory the compromised kernel
 * could map.
 */
export const security: Experiment = {
  id: 'security',
  sweepAllProfiles: false,
  title: "Security isolation: entry points, a fuzzer's breaches, and what a kernel compromise reaches",
  description: `Entry points reachable from a guest, ${SECURITY_FUZZ_OPS} fuzzed hostile operations and their breaches, and the share of ${TENANTS - 1} other tenants a compromised kernel reaches.`,
  run(ctx: ExperimentContext): ResultRow[] {
    const rows: ResultRow[] = [];
    let done = 0;
    for (const platform of ctx.platforms) {
      const hv = composeFor(ctx, platform);
      const exits = new Set<string>();
      const sub = hv.events.cpu.vmExits$.subscribe((e) => exits.add(e.reason));
      const tenants = placeTenants(hv, platform.isolation);
      const shared = platform.isolation === 'domains' ? undefined : tenants[0]!.kernel;
      const reach = compromiseReach(hv, tenants);
      sub.unsubscribe();
      const counts = hv.counts();
      const entries = entryPoints(hv, shared, exits);
      rows.push({
        platform: platform.name,
        metric: 'entry-points',
        value: entries.sharedKernelCalls + entries.hypercalls + entries.vmExits,
        unit: 'entry points',
        counts,
        detail: {
          sharedKernelCalls: entries.sharedKernelCalls,
          hypercalls: entries.hypercalls,
          vmExitReasons: entries.vmExits,
          names: entries.names.join(' '),
        },
      });
      rows.push({
        platform: platform.name,
        metric: 'compromise-reach',
        value: reach.reached / (TENANTS - 1),
        unit: 'fraction of other tenants',
        counts,
        detail: {
          tenants: TENANTS,
          reached: reach.reached,
          mappingAttempts: reach.attempts,
          refused: reach.refused,
          boundary: shared !== undefined ? 'one kernel under every tenant' : 'a kernel per domain',
        },
      });
      const plugin = fuzzPluginOf(platform);
      if (plugin !== undefined) {
        const { report, breach } = runFuzzSync({ plugin, ops: SECURITY_FUZZ_OPS, seed: ctx.seed });
        const detail = { plugin, invariantsChecked: report.invariantsChecked, ...(breach !== undefined ? { breach: breach.message } : {}) };
        rows.push({ platform: platform.name, metric: 'fuzz-operations', value: report.ops, unit: 'operations', counts, detail });
        rows.push({ platform: platform.name, metric: 'fuzz-breaches', value: report.breaches, unit: 'breaches', counts, detail });
      }
      hv.dispose();
      ctx.progress?.(++done, ctx.platforms.length);
    }
    return rows;
  },
};
