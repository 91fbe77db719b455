import { CostCategory, type Hypervisor } from '@visorkit/core';
import type { Experiment, ExperimentContext, PlatformSpec, ResultRow } from '../experiment/experiment.js';
import { ServiceHost, vmReservationMiB } from '../experiment/service-host.js';
import { CONSOLIDATED_SERVICE, type ServiceShape } from '../programs/consolidated-service.js';

/** Simulated time over which an arrangement's service is measured. */
const MEASURE_NS = 2e9;
/** Share of its stand-alone request rate an instance must keep, on average, to count as fitting. */
const SERVICE_LEVEL = 0.9;
/** The throughput search stops once its bracket is this narrow, relative to its lower end. */
const RESOLUTION = 0.02;
/** A think time no measurement reaches: instances that only hold their memory. */
const IDLE_NS = 1e15;
/** Instances of the first sample run, whose CPU use gives the first extrapolation. */
const SAMPLE_INSTANCES = 16;
/** Far beyond any profile's memory: a guard against a platform that never refuses. */
const MAX_INSTANCES = 1 << 16;

/**
 * What {@link densityLimit} may be told.
 *
 * @public
 */
export interface DensityOptions {
  /** Machine memory, overriding the profile's (a what-if: the same host with more RAM). */
  readonly machineMiB?: number;
  /** The service packed onto the machine. */
  readonly shape?: ServiceShape;
}

/**
 * How many instances of a service fit on one machine, and what stopped more.
 *
 * @public
 */
export interface DensityLimit {
  /** Instances that fit: every one alive and keeping its service level. */
  readonly instances: number;
  /** What ran out first: memory (no frames to reserve or fault in) or CPU throughput. */
  readonly limit: 'memory' | 'throughput';
  /** Instances that fit in memory alone. */
  readonly memoryFit: number;
  /** Memory each VM was given (what one instance measurably used), in MiB; 0 for one shared kernel. */
  readonly reservationMiB: number;
  /** Guest frames each instance costs at the memory limit (its kernel's share included). */
  readonly framesPerInstance: number;
  /** Requests per second of one instance alone, and of each instance at the limit. */
  readonly standaloneRate: number;
  readonly rateAtLimit: number;
  /** Mechanism counts of the run at the limit. */
  readonly counts: Record<string, number>;
}

/**
 * Adds instances one at a time until the platform refuses one or its memory runs out (an OOM
 * kill). They make their memory resident and then sit idle: memory is all this measures, and
 * idle instances cannot saturate the CPUs and slow the filling down.
 */
function fillMemory(
  ctx: ExperimentContext,
  platform: PlatformSpec,
  shape: ServiceShape,
  machineMiB: number | undefined,
  reservationMiB: number,
): { fit: number; framesPerInstance: number } {
  const host = new ServiceHost(ctx, platform, { ...shape, periodNs: IDLE_NS }, machineMiB, reservationMiB);
  let fit = 0;
  let frames = 0;
  while (fit < MAX_INSTANCES && host.add()) {
    host.settle();
    if (host.alive < host.count) break;
    fit = host.count;
    frames = host.framesHeld;
  }
  return { fit, framesPerInstance: fit > 0 ? frames / fit : 0 };
}

/** Runs `n` instances side by side and measures their requests per second, per instance. */
function serviceAt(
  ctx: ExperimentContext,
  platform: PlatformSpec,
  shape: ServiceShape,
  machineMiB: number | undefined,
  reservationMiB: number,
  n: number,
): ServiceMeasurement {
  const host = new ServiceHost(ctx, platform, shape, machineMiB, reservationMiB);
  for (let i = 0; i < n; i++) if (!host.add()) return { rate: 0, alive: false, busy: 1, counts: host.hv.counts() };
  host.settle();
  // One think time more, so every instance is in its steady request cycle.
  const start = host.hv.now + shape.periodNs;
  host.hv.runUntil(start);
  const before = host.requests;
  const cyclesBefore = cpuCycles(host.hv);
  host.hv.runUntil(start + MEASURE_NS);
  const cycles = cpuCycles(host.hv);
  return {
    rate: (host.requests - before) / (MEASURE_NS / 1e9) / n,
    alive: host.alive === n,
    busy: 1 - (cycles.idle - cyclesBefore.idle) / (cycles.total - cyclesBefore.total),
    counts: host.hv.counts(),
  };
}

/** What a run of some instances measured. */
interface ServiceMeasurement {
  /** Requests per second, per instance. */
  readonly rate: number;
  /** True when every instance was still running at the end. */
  readonly alive: boolean;
  /** Share of the machine's CPU time that was not idle. */
  readonly busy: number;
  readonly counts: Record<string, number>;
}

/** Cycles charged on all the machine's CPUs so far, and how many of them idle. */
function cpuCycles(hv: Hypervisor): { total: number; idle: number } {
  let total = 0;
  let idle = 0;
  for (const cpu of hv.machine.pcpus) {
    total += cpu.account.total;
    idle += cpu.account.cycles[CostCategory.Idle]!;
  }
  return { total, idle };
}

/**
 * The density limit of `platform`: how many instances of a lightly loaded service fit on the
 * machine before memory runs out (VMs: each needs a reservation holding its own kernel and
 * page cache; one shared kernel: only each instance's own pages) or throughput collapses
 * (instances no longer get {@link SERVICE_LEVEL} of their stand-alone request rate, because
 * the CPUs are saturated by their work and the platform's per-request overheads). Every
 * figure comes from running the instances: memory by adding them until one is refused or
 * killed, throughput by bisecting on the measured request rate.
 *
 * @public
 */
export function densityLimit(ctx: ExperimentContext, platform: PlatformSpec, options: DensityOptions = {}): DensityLimit {
  const shape = options.shape ?? CONSOLIDATED_SERVICE;
  const reservationMiB = vmReservationMiB(ctx, platform, shape);
  const memory = fillMemory(ctx, platform, shape, options.machineMiB, reservationMiB);
  const measure = (n: number) => serviceAt(ctx, platform, shape, options.machineMiB, reservationMiB, n);
  const base = { memoryFit: memory.fit, reservationMiB, framesPerInstance: memory.framesPerInstance };
  if (memory.fit === 0) return { ...base, instances: 0, limit: 'memory', standaloneRate: 0, rateAtLimit: 0, counts: {} };
  const single = measure(1);
  const holds = (r: ServiceMeasurement): boolean => r.alive && r.rate >= SERVICE_LEVEL * single.rate;
  // Search the largest count that keeps its service level, at most the memory fit. `lo`
  // holds; `hi` fails (the fit + 1 fails for memory). While nothing has failed, the next count
  // is extrapolated from the last holding run (its CPU use and what it served), at least a
  // resolution step further: a few runs reach the knee, and none runs far past saturation,
  // where starting instances crawls. Once a count fails, bisection.
  let lo = 1;
  let hi = memory.fit + 1;
  let best = single;
  const tryAt = (n: number): void => {
    const r = measure(n);
    if (holds(r)) {
      lo = n;
      best = r;
    } else hi = n;
  };
  const open = (): boolean => lo < memory.fit && (hi > memory.fit || hi - lo > Math.max(1, Math.floor(lo * RESOLUTION)));
  if (memory.fit > SAMPLE_INSTANCES) tryAt(SAMPLE_INSTANCES);
  while (open()) {
    if (hi <= memory.fit) {
      tryAt(Math.floor((lo + hi) / 2));
      continue;
    }
    // Below saturation: the count that would keep the CPUs just busy. Saturated: what the
    // CPUs serve now, shared by as many as keep the service level.
    const step = Math.max(1, Math.floor(lo * RESOLUTION));
    const busyAt = best.busy > 0 ? lo / best.busy : memory.fit;
    const servedAt = (lo * best.rate) / (SERVICE_LEVEL * single.rate);
    tryAt(Math.min(memory.fit, Math.max(lo + step, Math.floor(Math.max(busyAt, servedAt)))));
  }
  const limit = lo === memory.fit ? 'memory' : 'throughput';
  return { ...base, instances: lo, limit, standaloneRate: single.rate, rateAtLimit: best.rate, counts: best.counts };
}

/**
 * The `density-limit` row of one platform.
 *
 * @public
 */
export function densityRow(ctx: ExperimentContext, platform: PlatformSpec, options: DensityOptions = {}): ResultRow {
  const d = densityLimit(ctx, platform, options);
  return {
    platform: platform.name,
    metric: 'density-limit',
    value: d.instances,
    unit: 'instances',
    counts: d.counts,
    limit: d.limit,
    detail: {
      memoryFit: d.memoryFit,
      reservationMiB: d.reservationMiB,
      framesPerInstance: Math.round(d.framesPerInstance),
      standaloneRate: d.standaloneRate,
      rateAtLimit: d.rateAtLimit,
    },
  };
}

/**
 * Consolidation density: how many lightly loaded servers (8 MiB resident, a request every
 * 100 ms) each platform fits on the machine before memory or throughput gives out. VMs pay
 * a kernel and a page cache each, inside a fixed reservation; a shared kernel pays them once.
 *
 * @public
 */
export const density: Experiment = {
  id: 'density',
  sweepAllProfiles: false,
  title: 'Density: how many lightly loaded servers fit on one machine',
  description: 'Instances added until memory runs out or service drops below 90% of stand-alone, per platform.',
  run(ctx: ExperimentContext): ResultRow[] {
    const rows: ResultRow[] = [];
    ctx.platforms.forEach((platform, i) => {
      rows.push(densityRow(ctx, platform));
      ctx.progress?.(i + 1, ctx.platforms.length);
    });
    return rows;
  },
};
