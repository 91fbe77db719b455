import { CostCategory, PageTableBuilder, gfn, type Domain, type Hypervisor } from '@visorkit/core';
import { composeFor, type Experiment, type ExperimentContext, type PlatformSpec, type ResultRow } from '../experiment/experiment.js';
import { BulkSender } from '../programs/bulk-sender.js';
import { RandomAccessProgram } from '../programs/random-access.js';
import { microRows } from './micro.js';

/** Working set for random-access: 512 MiB, far beyond any bundled TLB's reach. */
const WORKING_SET_PAGES = 131072;
const ACCESSES = 200_000;
const FRAME_BYTES = 1500;
const WINDOW = 64;
const RUN_NS = 2e8;

function totalCycles(d: Domain): number {
  let c = 0;
  for (const v of d.vcpus) for (let k = 0; k < CostCategory.Idle; k++) c += v.cycles[k]!;
  return c;
}

/**
 * `random-access`: ns per access over a working set far beyond TLB reach.
 *
 * @public
 */
export function randomAccess(ctx: ExperimentContext, platform: PlatformSpec): ResultRow {
  const hv = composeFor(ctx, platform);
  const d = hv.createDomain({ name: 'tlb-hog', memoryMiB: 640 });
  const v = d.vcpus[0]!;
  const builder = new PageTableBuilder(hv, v, 1);
  const firstGfn = 4096;
  builder.mapRange(0x10000, firstGfn, WORKING_SET_PAGES);
  // A kernel zeroes the pages it hands out: the working set is resident before it is measured.
  for (let g = 0; g < WORKING_SET_PAGES; g++) hv.memory.zeroFrame(v, gfn(firstGfn + g));
  builder.activate();
  // Building the address space is set-up, not the measurement: measure from here.
  const cyclesBefore = totalCycles(d);
  const countsBefore = Float64Array.from(d.counts);
  const program = new RandomAccessProgram(hv, 0x10000, WORKING_SET_PAGES, ACCESSES, hv.sim.random.fork('random-access'));
  hv.start(d, () => program);
  hv.runWhile(() => v.state !== 'offline');
  const counts: Record<string, number> = {};
  for (const [name, n] of Object.entries(hv.counts(d))) {
    const i = hv.mechanisms.indexOf(name);
    counts[name] = n - countsBefore[i]!;
  }
  const nsPerAccess = ((totalCycles(d) - cyclesBefore) * v.nsPerCycle) / program.done;
  return { platform: platform.name, metric: 'random-access', value: nsPerAccess, unit: 'ns', counts };
}

/**
 * `net-throughput-mbps` and `net-cycles-per-byte` of a windowed bulk transfer between two domains.
 *
 * @public
 */
export function network(ctx: ExperimentContext, platform: PlatformSpec): ResultRow[] {
  const hv: Hypervisor = composeFor(ctx, platform);
  const tx = hv.createDomain({ name: 'sender', memoryMiB: 64 });
  const rx = hv.createDomain({ name: 'receiver', memoryMiB: 64 });
  let sender: BulkSender | undefined;
  hv.network.attachInterface(rx, '10.0.0.2', () => sender?.acknowledge());
  const iface = hv.network.attachInterface(tx, '10.0.0.1', () => {});
  sender = new BulkSender(hv, iface, '10.0.0.1', '10.0.0.2', FRAME_BYTES, WINDOW, 400);
  hv.start(tx, () => sender!);
  hv.runUntil(RUN_NS);
  const bytes = sender.delivered * FRAME_BYTES;
  const mbps = (bytes * 8) / (RUN_NS / 1e9) / 1e6;
  // Receive work is owed by the receiver's vCPU; count it whether or not it has run yet.
  const rxOwed = rx.vcpus.reduce((c, v) => c + v.deferred.reduce((a, b) => a + b, 0), 0);
  const cycles = totalCycles(tx) + totalCycles(rx) + rxOwed;
  const counts = hv.counts();
  return [
    { platform: platform.name, metric: 'net-throughput-mbps', value: mbps, unit: 'Mbit/s', counts },
    { platform: platform.name, metric: 'net-cycles-per-byte', value: bytes > 0 ? cycles / bytes : Number.NaN, unit: 'cycles/byte', counts },
  ];
}

/**
 * What modern hardware changes: a TLB-miss-heavy workload (random access over 512 MiB, where
 * nested paging's two-dimensional walks cost most) and bulk network transfer with its CPU
 * cost per byte (SR-IOV against paravirtual rings), beside the lmbench `micro` metrics.
 *
 * @public
 */
export const modernExperiment: Experiment = {
  id: 'modern',
  title: 'Modern hardware: micro-benchmarks, TLB-miss-heavy access, network cost per byte',
  description:
    'random-access ns per access over a working set far beyond TLB reach; net-throughput-mbps and net-cycles-per-byte for SR-IOV vs paravirtual rings.',
  run(ctx: ExperimentContext): ResultRow[] {
    const rows: ResultRow[] = [];
    let done = 0;
    for (const platform of ctx.platforms) {
      rows.push(...microRows(ctx, platform));
      rows.push(randomAccess(ctx, platform));
      rows.push(...network(ctx, platform));
      ctx.progress?.(++done, ctx.platforms.length);
    }
    return rows;
  },
};
