import 'reflect-metadata';
import test from 'ava';
import { UnsupportedCapabilityError, createHypervisor, modern, type MachineProfile } from '@visorkit/core';
import { Errno, bootGuest, type Sys } from '@visorkit/guest';
import { hwAssistPlugin } from '@visorkit/hw-assist';
import { VserverContexts, vserverGuestContextsOf, vserverInGuestsOf } from '@visorkit/vserver';
import {
  definePlatform,
  densityLimit,
  needsNestedPaging,
  runInstances,
  runMicro,
  specCintInstance,
  type ExperimentContext,
  type MicroMetric,
  type PlatformSpec,
} from '@visorkit/workloads';
import { platformRegistry } from '../../src/platforms/platform-registry.js';

const platform = (name: string): PlatformSpec => platformRegistry.find((p) => p.name === name)!;
const STACKED = platform('hvm-ept+vserver');
const HVM = platform('hvm-ept');
const VSERVER = platform('vserver');

function micro(p: PlatformSpec, metric: MicroMetric, profile: MachineProfile = modern): { us: number; counts: Record<string, number> } {
  const ctx: ExperimentContext = { profile, platforms: [p], seed: 1 };
  const r = runMicro(ctx, p, [metric]);
  return { us: r.results[metric]!, counts: r.counts };
}

test('hvm-ept+vserver is vserver contexts in an hvm-ept guest: stacked on hvm-ept, one VM kernel per context set, needs nested paging', (t) => {
  t.is(STACKED.isolation, 'contexts');
  t.is(STACKED.stackedOn, 'hvm-ept');
  t.deepEqual(
    STACKED.plugins?.map((p) => p.name),
    ['hw-assist', 'vserver-guests'],
  );
  t.is(STACKED.unsupportedOn?.(modern), undefined);
  t.is(
    STACKED.unsupportedOn?.({ ...modern, cpu: { ...modern.cpu, nestedPaging: false } }),
    needsNestedPaging({ ...modern, cpu: { ...modern.cpu, nestedPaging: false } }),
  );
});

test("a container's fork pays the VM's exits for its kernel's work and vserver's context checks on top", (t) => {
  const stacked = micro(STACKED, 'fork');
  const vm = micro(HVM, 'fork');
  const container = micro(VSERVER, 'fork');
  // The same VM mechanisms in the same numbers (the policy adds checks, not exits)...
  t.true((stacked.counts['vm-exit'] ?? 0) > 0);
  t.is(stacked.counts['vm-exit'], vm.counts['vm-exit']);
  t.is(container.counts['vm-exit'] ?? 0, 0, 'vserver on native takes no VM exits');
  // ...and the context checks' instructions on top of the VM's fork.
  t.true(stacked.us > vm.us, `stacked ${stacked.us} > hvm-ept ${vm.us}`);
});

test('the stacked figure follows the EPT walk: a machine without page-walk caches makes nested walks dearer there, and leaves vserver on native alone', (t) => {
  // Only nested walks use the walk caches (they hold EPT translations of guest table frames).
  const uncached: MachineProfile = { ...modern, tlb: { ...modern.tlb, pageWalkCacheEntries: 0 } };
  const cached = micro(STACKED, 'page-fault');
  const walked = micro(STACKED, 'page-fault', uncached);
  t.true(walked.counts['page-walk-ref']! > cached.counts['page-walk-ref']!);
  t.true(walked.us > cached.us, `page fault without walk caches ${walked.us} > ${cached.us}`);
  const fork = micro(STACKED, 'fork');
  t.true(micro(STACKED, 'fork', uncached).us > fork.us);
  // The same machine change on vserver over native: no nested walk, the same figures.
  t.is(micro(VSERVER, 'page-fault', uncached).us, micro(VSERVER, 'page-fault').us);
  t.is(micro(VSERVER, 'fork', uncached).us, micro(VSERVER, 'fork').us);
  // And 2 MiB host pages shorten every EPT walk: cheaper than 4 KiB ones.
  const large = definePlatform({
    name: 'hvm-ept-2m+vserver',
    description: 'stacked on EPT with 2 MiB host pages',
    isolation: 'contexts',
    stackedOn: 'hvm-ept-2m',
    plugins: vserverInGuestsOf(hwAssistPlugin.configure({ largePages: true })),
  });
  t.true(micro(large, 'page-fault').us < cached.us);
});

test('the stacked platform repeats exactly under one seed', (t) => {
  const ctx: ExperimentContext = { profile: modern, platforms: [STACKED], seed: 7 };
  const metrics: MicroMetric[] = ['fork', 'sig-hndl', 'page-fault'];
  t.deepEqual(runMicro(ctx, STACKED, metrics), runMicro(ctx, STACKED, metrics));
});

test('density: containers in one VM need no per-instance reservation, so more fit than VMs on the same memory', (t) => {
  const ctx: ExperimentContext = { profile: modern, platforms: [HVM, STACKED], seed: 1 };
  const options = { machineMiB: 1024 };
  const vms = densityLimit(ctx, HVM, options);
  const containers = densityLimit(ctx, STACKED, options);
  t.is(containers.reservationMiB, 0);
  t.true(vms.reservationMiB > 0);
  t.true(containers.memoryFit > vms.memoryFit, `containers ${containers.memoryFit} > VMs ${vms.memoryFit}`);
  t.true(containers.instances > 0);
  // The instances ran in a VM: its exits are in the counts.
  t.true((containers.counts['vm-exit'] ?? 0) > 0);
});

test("each VM's kernel has its own context table: a process limit in one VM does not reach the same context of another", (t) => {
  const hv = createHypervisor({ machine: modern, plugins: vserverInGuestsOf(hwAssistPlugin), options: { seed: 1 } });
  const refused = new Map<string, number>();
  const forker = (vm: string) =>
    function* (sys: Sys) {
      for (let i = 0; i < 3; i++) {
        const pid = yield* sys.fork(function* () {
          return 0;
        });
        if (pid === -Errno.EAGAIN) refused.set(vm, (refused.get(vm) ?? 0) + 1);
        else yield* sys.wait();
      }
      return 0;
    };
  const kernels = ['a', 'b'].map((vm) => {
    const d = hv.createDomain({ name: vm, memoryMiB: 64 });
    return bootGuest(hv, d, { programs: { '/bin/forker': { program: forker(vm) as never } } });
  });
  const tables = vserverGuestContextsOf(hv);
  t.true(tables.of(kernels[0]!.domain) instanceof VserverContexts);
  t.not(tables.of(kernels[0]!.domain), tables.of(kernels[1]!.domain));
  tables.of(kernels[0]!.domain).define(1, { maxProcesses: 1 });
  for (const k of kernels) k.spawn('/bin/forker', 1);
  hv.runWhile(() => kernels.some((k) => !k.idle));
  t.is(refused.get('a'), 3, "VM a's context 1 is limited to its one process");
  t.is(refused.get('b') ?? 0, 0, "VM b's context 1 is not");
  // A composition without the plugin has no such tables: a typed error.
  t.throws(() => vserverGuestContextsOf(createHypervisor({ machine: modern, plugins: [hwAssistPlugin] })), { instanceOf: UnsupportedCapabilityError });
});

test("server experiments place a stacked platform's instances as contexts of one VM's kernel, not as VMs of their own", (t) => {
  const ctx: ExperimentContext = { profile: modern, platforms: [STACKED], seed: 1 };
  const options = { memoryMiB: 64, warmupNs: 2e7, measureNs: 5e7 };
  const stacked = runInstances(ctx, STACKED, [specCintInstance, specCintInstance, specCintInstance], options);
  t.is(stacked.hv.domains.all().length, 1, 'one VM hosts every instance');
  t.true(stacked.rates.every((r) => r > 0));
  const vms = runInstances({ ...ctx, platforms: [HVM] }, HVM, [specCintInstance, specCintInstance, specCintInstance], options);
  t.is(vms.hv.domains.all().length, 3, 'hvm-ept gives each instance a VM');
});
