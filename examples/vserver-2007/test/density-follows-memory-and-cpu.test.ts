import 'reflect-metadata';
import test from 'ava';
import { CONSOLIDATED_SERVICE, densityLimit, type DensityLimit, type ExperimentContext, type ServiceShape } from '@visorkit/workloads';
import { vserver2007 } from '../src/index.js';

const ctx: ExperimentContext = { profile: vserver2007.profile, platforms: vserver2007.platforms, seed: 1 };

function limitOf(platform: string, machineMiB: number, shape?: ServiceShape): DensityLimit {
  return densityLimit(ctx, vserver2007.platforms.find((p) => p.name === platform)!, { machineMiB, ...(shape !== undefined ? { shape } : {}) });
}

test('VMs are memory-bound: each is reserved what it measurably uses, and twice the memory fits about twice the VMs', (t) => {
  const small = limitOf('xen-pv', 256);
  const large = limitOf('xen-pv', 512);
  t.is(small.limit, 'memory');
  t.is(large.limit, 'memory');
  // Its own kernel image (4 MiB) and page cache on top of the service's 8 MiB.
  t.true(small.reservationMiB > CONSOLIDATED_SERVICE.residentBytes / (1 << 20) + 4, `reservation ${small.reservationMiB} MiB`);
  t.is(small.instances, Math.floor(256 / small.reservationMiB));
  t.true(large.instances >= 2 * small.instances - 1 && large.instances <= 2 * small.instances + 1, `${small.instances} → ${large.instances}`);
});

test('contexts of one shared kernel fit more servers in the same memory than VMs', (t) => {
  const contexts = limitOf('vserver', 256);
  const vms = limitOf('xen-pv', 256);
  t.is(contexts.limit, 'memory');
  t.true(contexts.instances > 1.3 * vms.instances, `contexts ${contexts.instances}, VMs ${vms.instances}`);
  // A context costs its own pages only: the service's data and a little more, no kernel.
  t.true(contexts.framesPerInstance < vms.framesPerInstance);
  t.true(contexts.framesPerInstance > CONSOLIDATED_SERVICE.residentBytes / 4096);
});

test('with a CPU-heavy service the CPUs run out first, and halving the request rate fits about twice the servers', (t) => {
  const heavy: ServiceShape = { ...CONSOLIDATED_SERVICE, cyclesPerRequest: 40_000_000 };
  const busy = limitOf('native', 512, heavy);
  const calmer = limitOf('native', 512, { ...heavy, periodNs: 2 * heavy.periodNs });
  t.is(busy.limit, 'throughput');
  t.is(calmer.limit, 'throughput');
  t.true(busy.instances < busy.memoryFit);
  t.true(busy.rateAtLimit >= 0.9 * busy.standaloneRate);
  const ratio = calmer.instances / busy.instances;
  t.true(ratio > 1.6 && ratio < 2.4, `${busy.instances} → ${calmer.instances}`);
});

test('the density limit is deterministic', (t) => {
  t.deepEqual(limitOf('vserver', 128), limitOf('vserver', 128));
});
