import 'reflect-metadata';
import test from 'ava';
import {
  Capability,
  CheckpointCorruptError,
  LiveMigration,
  checkpointWhenQuiescent,
  createHypervisor,
  modern,
  restoreDomain,
  type Hypervisor,
  type Simulator,
} from '@visorkit/core';
import { FORK_JOIN_JOB, bootGuest, guestKernelRestorer } from '@visorkit/guest';
import { hwAssistPlugin } from '@visorkit/hw-assist';
import { vserverGuestContextsOf, vserverInGuestsOf, type ContextSettings } from '../src/index.js';

const CONTEXTS: [number, ContextSettings][] = [
  [1, { maxProcesses: 8, root: '/vservers/web', addresses: ['10.0.0.2'] }],
  [2, { maxResidentMiB: 16 }],
];

const stacked = (simulator?: Simulator): Hypervisor =>
  createHypervisor({ machine: modern, plugins: vserverInGuestsOf(hwAssistPlugin), options: simulator === undefined ? {} : { simulator } });

/** A VM on `hv` running the job, with two contexts defined in its kernel. */
function vmWithContexts(hv: Hypervisor) {
  const d = hv.createDomain({ name: 'vm', memoryMiB: 64 });
  const kernel = bootGuest(hv, d, { checkpointable: true, programs: FORK_JOIN_JOB, run: ['/bin/job'] });
  for (const [id, settings] of CONTEXTS) vserverGuestContextsOf(hv).of(d).define(id, settings);
  return { d, kernel };
}

test("containers on VMs keep the platform's checkpoint/resume: a VM is restored with its context table, here or on another machine", (t) => {
  const hv = stacked();
  t.true(hv.has(Capability.CheckpointResume));
  const { d } = vmWithContexts(hv);
  hv.runFor(5e6);
  const file = checkpointWhenQuiescent(hv, d);
  hv.shutdown(d);
  hv.destroy(d);
  for (const where of [hv, stacked()]) {
    const restorer = guestKernelRestorer(FORK_JOIN_JOB);
    const back = restoreDomain(where, file, restorer.registry);
    t.deepEqual(vserverGuestContextsOf(where).of(back).contexts(), CONTEXTS);
    where.start(back);
    const kernel = restorer.kernelOf(back)!;
    const limit = where.now + 1e9;
    where.runWhile(() => !kernel.idle && where.now < limit);
    t.is(kernel.fs.lookup('/tmp/done')?.size, 2, 'the restored guest finished its work');
  }
});

test('a checkpoint holding contexts is refused, typed, by a hypervisor with no container policy to take them back', (t) => {
  const hv = stacked();
  const { d } = vmWithContexts(hv);
  hv.runFor(5e6);
  const file = checkpointWhenQuiescent(hv, d);
  const plain = createHypervisor({ machine: modern, plugins: [hwAssistPlugin] });
  t.throws(() => restoreDomain(plain, file, guestKernelRestorer(FORK_JOIN_JOB).registry), {
    instanceOf: CheckpointCorruptError,
    message: /container policy.*'hw-assist'/,
  });
});

test("a live-migrated VM's kernel consults the target's context table, which holds the contexts it had", (t) => {
  const src = stacked();
  const dst = stacked(src.sim);
  // A domain already on the target, so the arriving VM's id there differs from its id here.
  dst.createDomain({ name: 'resident', memoryMiB: 16 });
  const { d } = vmWithContexts(src);
  src.runFor(5e6);
  const m = new LiveMigration(src, d, dst, { mode: 'live', linkMbps: 1000, latencyUs: 50 });
  m.start();
  src.runWhile(() => m.report === undefined);
  const moved = dst.domains.byName('vm')!;
  t.not(moved.id, d.id);
  t.deepEqual(vserverGuestContextsOf(dst).of(moved).contexts(), CONTEXTS);
});
