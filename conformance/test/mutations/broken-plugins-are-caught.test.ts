import 'reflect-metadata';
import test from 'ava';
import { Capability, DeviceAssignment, DirtyLogging, createHypervisor, type Hypervisor } from '@visorkit/core';
import { nativePlugin } from '@visorkit/native';
import { ContractViolationError, contractsFor, type Compose, type ConformanceOptions, type SuiteName } from '../../src/index.js';
import {
  BlockBackend,
  ClampingBlock,
  CpuVirtualization,
  DomainBlindTagsMemory,
  FirstBufferIommuNetwork,
  FirstFrameCheckedBlock,
  FirstPageOnlyBlock,
  ForgetfulSnapshotMemory,
  LaxTimerCpu,
  LazySecondCpuScheduler,
  PerVcpuWeightScheduler,
  LeakyMemory,
  MemoryVirtualization,
  MillisecondAlarmTime,
  MischargingCpu,
  MisdeliveringNetwork,
  NetworkBackend,
  NoFlushOnSwitchMemory,
  NoInvalidateMemory,
  SharingWithoutCopyOnWriteMemory,
  SilentOverflowNetwork,
  StarvingScheduler,
  TimeKeeping,
  UncheckedBatchMemory,
  UndeadAlarmTime,
  UndeadInterfaceNetwork,
  UplinkFilterGapNetwork,
  VcpuScheduler,
  WakeCreditScheduler,
  WallVirtualTime,
  brokenNative,
} from './broken-plugins.js';

/** Starts the sharing fixture's scanner every 20 ms (the kit's background-work hook). */
function scanner(hv: Hypervisor): void {
  const memory = hv.memory as unknown as SharingWithoutCopyOnWriteMemory;
  const tick = (): void => {
    memory.scan(hv.domains.all());
    hv.sim.schedule(2e7, tick);
  };
  hv.sim.schedule(2e7, tick);
}

interface Case {
  readonly bug: string;
  readonly suite: SuiteName;
  readonly contract: string;
  readonly compose: Compose;
  readonly options?: Partial<ConformanceOptions>;
}

/** One broken plugin per bug class, and the contract meant to catch it. */
export const CASES: readonly Case[] = [
  {
    bug: 'skips the ownership check on its batched page-table path',
    suite: 'memory',
    contract: 'memory/no-domain-reaches-another-domains-frames',
    compose: brokenNative('unchecked-batch', MemoryVirtualization, UncheckedBatchMemory),
  },
  {
    bug: 'forgets to invalidate a remapped page',
    suite: 'memory',
    contract: 'memory/translations-agree-with-the-page-tables',
    compose: brokenNative('no-invlpg', MemoryVirtualization, NoInvalidateMemory),
  },
  {
    bug: 'switches address spaces without a flush',
    suite: 'memory',
    contract: 'memory/no-stale-tlb-entry-is-used',
    compose: brokenNative('no-flush', MemoryVirtualization, NoFlushOnSwitchMemory),
  },
  {
    bug: 'tags TLB entries without the domain on tagged-TLB machines',
    suite: 'memory',
    contract: 'memory/no-stale-tlb-entry-is-used',
    compose: brokenNative('blind-tags', MemoryVirtualization, DomainBlindTagsMemory),
  },
  {
    bug: 'shares identical pages without copy-on-write',
    suite: 'memory',
    contract: 'memory/identical-content-stays-private',
    compose: brokenNative('sharing', MemoryVirtualization, SharingWithoutCopyOnWriteMemory),
    options: { background: scanner },
  },
  {
    bug: 'leaks a destroyed domain’s frames',
    suite: 'memory',
    contract: 'memory/destroyed-domains-return-their-frames',
    compose: brokenNative('leaky', MemoryVirtualization, LeakyMemory),
  },
  {
    bug: 'lets user code program the timer',
    suite: 'cpu',
    contract: 'cpu/privileged-operations-from-user-mode-never-succeed',
    compose: brokenNative('lax-timer', CpuVirtualization, LaxTimerCpu),
  },
  {
    bug: 'charges system calls to the wrong vCPU',
    suite: 'cpu',
    contract: 'cpu/each-entry-is-charged-to-the-caller',
    compose: brokenNative('mischarging', CpuVirtualization, MischargingCpu),
  },
  {
    bug: 'starves light domains',
    suite: 'scheduler',
    contract: 'scheduler/proportional-share',
    compose: brokenNative('starving', VcpuScheduler, StarvingScheduler),
  },
  {
    bug: 'starves light domains on a two-pCPU machine',
    suite: 'scheduler',
    contract: 'scheduler/proportional-share-across-pcpus',
    compose: brokenNative('starving-smp', VcpuScheduler, StarvingScheduler),
  },
  {
    bug: 'grants credit on every wake-up',
    suite: 'scheduler',
    contract: 'scheduler/waking-earns-no-extra-share',
    compose: brokenNative('wake-credit', VcpuScheduler, WakeCreditScheduler),
  },
  {
    bug: 'leaves the second pCPU idle',
    suite: 'scheduler',
    contract: 'scheduler/work-conserving-and-starvation-free',
    compose: brokenNative('lazy-cpu', VcpuScheduler, LazySecondCpuScheduler),
  },
  {
    bug: 'weighs vCPUs rather than domains',
    suite: 'scheduler',
    contract: 'scheduler/many-vcpus-get-no-more-than-their-share',
    compose: brokenNative('per-vcpu', VcpuScheduler, PerVcpuWeightScheduler),
    options: { isolation: true },
  },
  {
    bug: 'advances virtual time while descheduled',
    suite: 'time',
    contract: 'time/virtual-time-follows-what-ran',
    compose: brokenNative('wall-virtual', TimeKeeping, WallVirtualTime),
  },
  {
    bug: 'rounds alarm deadlines to whole milliseconds',
    suite: 'time',
    contract: 'time/alarms-fire-at-their-deadline',
    compose: brokenNative('ms-alarms', TimeKeeping, MillisecondAlarmTime),
  },
  {
    bug: 'delivers to the wrong domain',
    suite: 'network',
    contract: 'network/frames-reach-only-their-destination',
    compose: brokenNative('misdelivering', NetworkBackend, MisdeliveringNetwork),
  },
  {
    bug: 'drops a burst’s overflow without counting it',
    suite: 'network',
    contract: 'network/every-frame-is-delivered-or-counted-as-dropped',
    compose: brokenNative('silent-overflow', NetworkBackend, SilentOverflowNetwork),
  },
  {
    bug: 'filters spoofed sources on local delivery but not on the uplink',
    suite: 'network',
    contract: 'network/spoofed-sources-are-dropped',
    compose: brokenNative('uplink-gap', NetworkBackend, UplinkFilterGapNetwork),
    options: { antiSpoofing: true },
  },
  {
    bug: 'checks only the first DMA buffer of a multi-page frame',
    suite: 'network',
    contract: 'network/dma-buffers-stay-inside-the-sender',
    compose: brokenNative('first-buffer', NetworkBackend, FirstBufferIommuNetwork),
    options: { isolation: true },
  },
  {
    bug: 'clamps requests past the disk’s end',
    suite: 'disk',
    contract: 'disk/requests-stay-inside-their-disk-and-memory',
    compose: brokenNative('clamping', BlockBackend, ClampingBlock),
  },
  {
    bug: 'checks only a request’s first frame',
    suite: 'disk',
    contract: 'disk/requests-stay-inside-their-disk-and-memory',
    compose: brokenNative('first-frame', BlockBackend, FirstFrameCheckedBlock),
  },
  {
    bug: 'translates only a multi-page request’s first page',
    suite: 'disk',
    contract: 'disk/data-reads-back-byte-identical',
    compose: brokenNative('first-page', BlockBackend, FirstPageOnlyBlock),
  },
  {
    bug: 'rounds alarm deadlines (seen against bare metal)',
    suite: 'differential',
    contract: 'differential/guest-visible-results-agree-with-the-reference',
    compose: brokenNative('ms-alarms-vs-native', TimeKeeping, MillisecondAlarmTime),
    options: { reference: (machine) => createHypervisor({ machine, plugins: [nativePlugin] }) },
  },
  {
    bug: 'keeps a destroyed domain’s alarms',
    suite: 'lifecycle',
    contract: 'lifecycle/destroyed-domains-leave-nothing',
    compose: brokenNative('undead-alarms', TimeKeeping, UndeadAlarmTime),
  },
  {
    bug: 'keeps a destroyed domain’s interfaces',
    suite: 'lifecycle',
    contract: 'lifecycle/destroyed-domains-leave-nothing',
    compose: brokenNative('undead-interfaces', NetworkBackend, UndeadInterfaceNetwork),
  },
  {
    bug: 'declares checkpoint and migration but misses copied pages',
    suite: 'capabilities',
    contract: 'capabilities/declared-capabilities-work',
    compose: brokenNative('forgetful', MemoryVirtualization, ForgetfulSnapshotMemory, [Capability.CheckpointResume, Capability.LiveMigration], [DirtyLogging]),
  },
  {
    bug: 'assigns a device whose IOMMU check covers the first buffer only',
    suite: 'capabilities',
    contract: 'capabilities/declared-capabilities-work',
    compose: brokenNative('first-buffer-iommu', NetworkBackend, FirstBufferIommuNetwork, [Capability.DevicePassthrough], [DeviceAssignment]),
  },
];

const caught = new Map<string, { fixtures: number; caught: number }>();

for (const c of CASES) {
  test.serial(`a plugin that ${c.bug} fails '${c.contract}'`, (t) => {
    const contract = contractsFor({ ...c.options })[c.suite].find((x) => x.contract === c.contract);
    if (contract === undefined) return t.fail(`no contract '${c.contract}' in suite '${c.suite}'`);
    const score = caught.get(c.contract) ?? { fixtures: 0, caught: 0 };
    caught.set(c.contract, score);
    score.fixtures++;
    const e = t.throws(() => contract.check(c.compose, c.bug), { instanceOf: ContractViolationError });
    if (e === undefined) return;
    score.caught++;
    t.is(e.contract, c.contract);
    t.regex(e.message, /replay: VISORKIT_KIT_REPLAY=/);
    t.log(e.detail.split('\n')[0]);
  });
}

test.serial('every contract of the kit has a broken fixture it catches (mutation score per contract)', (t) => {
  const all = Object.values(
    contractsFor({ isolation: true, antiSpoofing: true, reference: (machine) => createHypervisor({ machine, plugins: [nativePlugin] }) }),
  ).flat();
  const rows = all.map((c) => {
    const s = caught.get(c.contract) ?? { fixtures: 0, caught: 0 };
    return `| ${c.contract} | ${s.fixtures} | ${s.caught} | ${s.fixtures === 0 ? '—' : `${Math.round((100 * s.caught) / s.fixtures)}%`} |`;
  });
  t.log(['| contract | fixtures | caught | score |', '|---|---|---|---|', ...rows].join('\n'));
  const missing = all.filter((c) => (caught.get(c.contract)?.caught ?? 0) === 0).map((c) => c.contract);
  t.deepEqual(missing, []);
});
