import { kernelFault } from '@visorkit/guest';
import type { Experiment, ExperimentContext, PlatformSpec, ResultRow } from '../experiment/experiment.js';
import { ServiceHost, vmReservationMiB } from '../experiment/service-host.js';
import { CONSOLIDATED_SERVICE } from '../programs/consolidated-service.js';

/** Instances side by side: the one whose kernel faults, and the ones that should not care. */
const INSTANCES = 4;
/** Simulated time measured before the fault and after it. */
const WINDOW_NS = 1e9;
/** Share of its earlier request rate an instance must keep after the fault to count as serving. */
const SERVING = 0.9;

/**
 * What happened to the other instances when one instance's kernel faulted.
 *
 * @public
 */
export interface FaultOutcome {
  /** Of the other instances, the share still serving after the fault (1: untouched, 0: all down). */
  readonly survivors: number;
  /** Domains the fault crashed. */
  readonly crashedDomains: number;
  readonly counts: Record<string, number>;
}

/**
 * Runs {@link INSTANCES} light servers on `platform`, then injects a fault into the kernel
 * of the first (a driver's NULL dereference, say) and measures which of the others keep
 * serving. A kernel per domain confines the fault; one kernel under every instance — the
 * processes of one OS or a container platform's contexts — goes down whole.
 *
 * @public
 */
export function faultOutcome(ctx: ExperimentContext, platform: PlatformSpec): FaultOutcome {
  const host = new ServiceHost(ctx, platform, CONSOLIDATED_SERVICE, undefined, vmReservationMiB(ctx, platform, CONSOLIDATED_SERVICE));
  for (let i = 0; i < INSTANCES; i++) host.add();
  host.settle();
  const start = host.hv.now;
  const before = Array.from({ length: INSTANCES }, (_, i) => host.requestsOf(i));
  host.hv.runUntil(start + WINDOW_NS);
  const rateBefore = before.map((b, i) => host.requestsOf(i) - b);
  const crashed = kernelFault(host.hv, host.kernelOf(0).domain, 'NULL pointer dereference in a driver');
  const after = Array.from({ length: INSTANCES }, (_, i) => host.requestsOf(i));
  host.hv.runUntil(start + 2 * WINDOW_NS);
  let serving = 0;
  for (let i = 1; i < INSTANCES; i++) if (host.requestsOf(i) - after[i]! >= SERVING * rateBefore[i]!) serving++;
  return { survivors: serving / (INSTANCES - 1), crashedDomains: crashed.length, counts: host.hv.counts() };
}

/**
 * Fault isolation: a fault in one instance's kernel, and how many of the others carry on
 * (the seed's point against containers: their shared kernel is a single point of failure).
 *
 * @public
 */
export const faultIsolation: Experiment = {
  id: 'fault-isolation',
  title: "Fault isolation: one instance's kernel faults",
  description: `${INSTANCES} light servers; the first one's kernel faults; the share of the others still serving.`,
  run(ctx: ExperimentContext): ResultRow[] {
    return ctx.platforms.map((platform, i) => {
      const o = faultOutcome(ctx, platform);
      ctx.progress?.(i + 1, ctx.platforms.length);
      return {
        platform: platform.name,
        metric: 'surviving-instances',
        value: o.survivors,
        unit: 'fraction',
        counts: o.counts,
        detail: { instances: INSTANCES, crashedDomains: o.crashedDomains },
      };
    });
  },
};
