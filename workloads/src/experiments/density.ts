import { bootGuest } from '@visorkit/guest';
import { composeFor, type Experiment, type ExperimentContext, type PlatformSpec, type ResultRow } from '../experiment/experiment.js';
import { ServiceHost } from '../experiment/service-host.js';
import { CONSOLIDATED_SERVICE, consolidatedService, type ServiceProgress, type ServiceShape } from '../programs/consolidated-service.js';

const MIB = 1 << 20;
const FRAME_BYTES = 4096;
/** Simulated time over which an arrangement's service is measured. */
const MEASURE_NS = 2e9;
/** Share of its stand-alone request rate an instance must keep, on average, to count as fitting. */
const SERVICE_LEVEL = 0.9;
/** The throughput search stops once its bracket is this narrow, relative to its lower end. */
const RESOLUTION = 0.02;
/** Far beyond any profile's memory: a guard against a platform that never refuses. */
const MAX_INSTANCES = 1 << 16;

/** What {@link densityLimit} may be told. */
export interface DensityOptions {
  /** Machine memory, overriding the profile's (a what-if: the same host with more RAM). */
  readonly machineMiB?: number;
  /** The service packed onto the machine. */
  readonly shape?: ServiceShape;
}

/** How many instances of a service fit on one machine, and what stopped more. */
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

/** Memory one instance measurably uses in a VM of its own: its kernel, page cache, page tables and data. */
function vmReservationMiB(ctx: ExperimentContext, platform: PlatformSpec, shape: ServiceShape): number {
  const hv = composeFor(ctx, platform);
  const probe = hv.createDomain({ name: 'probe', memoryMiB: Math.ceil(shape.residentBytes / MIB) + 64 });
  const progress: ServiceProgress = { started: false, requests: 0 };
  const kernel = bootGuest(hv, probe, { programs: { '/srv/service': { program: consolidatedService(progress, shape) } }, run: ['/srv/service'] });
  hv.runWhile(() => !progress.started);
  hv.runFor(3 * shape.periodNs);
  const used = kernel.frames.frames - kernel.frames.available;
  return Math.ceil((used * FRAME_BYTES) / MIB);
}

/** Adds instances one at a time until the platform refuses one or its memory runs out (an OOM kill). */
function fillMemory(ctx: ExperimentContext, platform: PlatformSpec, shape: ServiceShape, machineMiB: number | undefined, reservationMiB: number): { fit: number; framesPerInstance: number } {
  const host = new ServiceHost(ctx, platform, shape, machineMiB, reservationMiB);
  let frames = 0;
  while (host.count < MAX_INSTANCES) {
    if (!host.add()) break;
    host.settle();
    if (host.alive < host.count) return { fit: host.count - 1, framesPerInstance: host.count > 1 ? frames / (host.count - 1) : 0 };
    frames = host.framesUsed;
  }
  return { fit: host.count, framesPerInstance: host.count > 0 ? frames / host.count : 0 };
}

/** Runs `n` instances side by side and measures their requests per second, per instance. */
function serviceAt(ctx: ExperimentContext, platform: PlatformSpec, shape: ServiceShape, machineMiB: number | undefined, reservationMiB: number, n: number): { rate: number; alive: boolean; counts: Record<string, number> } {
  const host = new ServiceHost(ctx, platform, shape, machineMiB, reservationMiB);
  for (let i = 0; i < n; i++) if (!host.add()) return { rate: 0, alive: false, counts: host.hv.counts() };
  host.settle();
  // One think time more, so every instance is in its steady request cycle.
  const start = host.hv.now + shape.periodNs;
  host.hv.runUntil(start);
  const before = host.requests;
  host.hv.runUntil(start + MEASURE_NS);
  return { rate: (host.requests - before) / (MEASURE_NS / 1e9) / n, alive: host.alive === n, counts: host.hv.counts() };
}

/**
 * The density limit of `platform`: how many instances of a lightly loaded service fit on the
 * machine before memory runs out (VMs: each needs a reservation holding its own kernel and
 * page cache; one shared kernel: only each instance's own pages) or throughput collapses
 * (instances no longer get {@link SERVICE_LEVEL} of their stand-alone request rate, because
 * the CPUs are saturated by their work and the platform's per-request overheads). Every
 * figure comes from running the instances: memory by adding them until one is refused or
 * killed, throughput by bisecting on the measured request rate.
 */
export function densityLimit(ctx: ExperimentContext, platform: PlatformSpec, options: DensityOptions = {}): DensityLimit {
  const shape = options.shape ?? CONSOLIDATED_SERVICE;
  const reservationMiB = platform.isolation === 'domains' ? vmReservationMiB(ctx, platform, shape) : 0;
  const memory = fillMemory(ctx, platform, shape, options.machineMiB, reservationMiB);
  const measure = (n: number) => serviceAt(ctx, platform, shape, options.machineMiB, reservationMiB, n);
  const base = { memoryFit: memory.fit, reservationMiB, framesPerInstance: memory.framesPerInstance };
  if (memory.fit === 0) return { ...base, instances: 0, limit: 'memory', standaloneRate: 0, rateAtLimit: 0, counts: {} };
  const single = measure(1);
  const holds = (r: { rate: number; alive: boolean }): boolean => r.alive && r.rate >= SERVICE_LEVEL * single.rate;
  const atFit = memory.fit === 1 ? single : measure(memory.fit);
  if (holds(atFit)) return { ...base, instances: memory.fit, limit: 'memory', standaloneRate: single.rate, rateAtLimit: atFit.rate, counts: atFit.counts };
  // Throughput gave out first. The run at the memory fit measured what the saturated CPUs
  // serve; the instance count that leaves each its service level is the first guess, checked
  // with a neighbour one resolution step away, then the bracket is bisected.
  let lo = 1;
  let hi = memory.fit;
  let best = single;
  const tryAt = (n: number): void => {
    if (n <= lo || n >= hi) return;
    const r = measure(n);
    if (holds(r)) {
      lo = n;
      best = r;
    } else hi = n;
  };
  const guess = Math.floor((atFit.rate * memory.fit) / (SERVICE_LEVEL * single.rate));
  tryAt(guess);
  const step = Math.max(1, Math.floor(guess * RESOLUTION));
  tryAt(lo === guess ? guess + step : guess - step);
  while (hi - lo > Math.max(1, Math.floor(lo * RESOLUTION))) tryAt(Math.floor((lo + hi) / 2));
  return { ...base, instances: lo, limit: 'throughput', standaloneRate: single.rate, rateAtLimit: best.rate, counts: best.counts };
}

/** The `density-limit` row of one platform. */
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
