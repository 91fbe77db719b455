import { LiveMigration, XEN_2005_PRECOPY, type MachineProfile, type MigrationReport, type PrecopyLimits } from '@visorkit/core';
import type { PlatformSpec } from '@visorkit/workloads';
import { saveToolSender } from './save-tool-costs.js';
import { buildTestbed, type MigrationWorkload, type WorkloadScale } from './testbed.js';

/**
 * One window of what the users saw.
 *
 * @public
 */
export interface ServiceSample {
  /** End of the window, ms after the migration started (negative: before it). */
  readonly tMs: number;
  readonly value: number;
}

/**
 * What one migration under load gives.
 *
 * @public
 */
export interface MigrationUnderLoad {
  readonly report: MigrationReport;
  /** The service time series, from the start of the run to a little after the migration. */
  readonly series: readonly ServiceSample[];
  readonly metric: string;
  readonly unit: string;
  /** Mechanism counts of the VM up to the migration, and `during-…` those of the migration itself. */
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * How to migrate.
 *
 * @public
 */
export interface MigrateUnderLoadOptions {
  /** The save loop's constants (default: the 2005 tool's). */
  readonly precopy?: PrecopyLimits;
  /** The stream leaves through the source's NIC, competing with the service (default true). */
  readonly throughSourceNic?: boolean;
  /** The save tool's page work runs on Dom0's vCPU, sharing the CPU with the guest (default true). */
  readonly senderInDom0?: boolean;
}

/** Windows of service recorded after the migration ends. */
const TAIL_WINDOWS = 4;

/**
 * Runs `workload` on the testbed, migrates its VM live while the clients keep coming, and
 * samples the service the clients saw in windows of the workload's width. The migration
 * stream leaves through the source's NIC, as the save tool's TCP connection did, so it
 * competes with the service's own traffic, and the save tool's page work runs in Dom0 on
 * the one CPU the guest uses too; the save loop's constants are the 2005 tool's
 * unless `options` say otherwise.
 *
 * @public
 */
export function migrateUnderLoad(
  platform: PlatformSpec,
  profile: MachineProfile,
  workload: MigrationWorkload,
  scale: WorkloadScale,
  seed: number,
  options: MigrateUnderLoadOptions = {},
): MigrationUnderLoad {
  const tb = buildTestbed(platform, profile, workload, scale, seed);
  const samples: { t: number; value: number }[] = [];
  const sample = (): void => {
    samples.push({ t: tb.sim.now, value: tb.probe.sample(workload.windowNs) });
    tb.sim.schedule(workload.windowNs, sample);
  };
  tb.sim.schedule(workload.windowNs, sample);
  tb.source.runUntil(workload.warmupNs);
  const migration = new LiveMigration(tb.source, tb.domain, tb.target, {
    mode: 'live',
    linkMbps: profile.link.gbps * 1000,
    latencyUs: profile.link.latencyUs,
    precopy: options.precopy ?? XEN_2005_PRECOPY,
    throughSourceNic: options.throughSourceNic ?? true,
    ...(options.senderInDom0 === false ? {} : { sender: saveToolSender(profile, tb.dom0) }),
  });
  const startedAt = tb.sim.now;
  const counts = tb.source.counts(tb.domain);
  migration.start();
  tb.source.runWhile(() => migration.report === undefined);
  tb.source.runUntil(tb.sim.now + TAIL_WINDOWS * workload.windowNs);
  return {
    report: migration.report!,
    series: samples.map((s) => ({ tMs: (s.t - startedAt) / 1e6, value: s.value })),
    metric: tb.probe.metric,
    unit: tb.probe.unit,
    counts: { ...counts, ...migrationCounts(tb.source.counts(tb.domain), counts) },
  };
}

/** Counts of the migration itself: the VM's counts on the source at its end less those at its start, keyed `during-…`. */
function migrationCounts(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d !== 0) out[`during-${k}`] = d;
  }
  return out;
}
