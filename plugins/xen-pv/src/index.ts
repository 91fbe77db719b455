/**
 * @visorkit/xen-pv — Xen paravirtualisation as the seed describes it: a ring-1 guest kernel,
 * validated and batched page-table updates (or writable page tables), fast system calls,
 * bounced faults, event channels and split-driver I/O rings, a firewall-router and virtual
 * block devices set up by Dom0, and BVT or credit scheduling.
 */
import {
  BlockBackend,
  Capability,
  CpuVirtualization,
  InvalidArgumentError,
  DirtyLogging,
  MemoryBalloon,
  MemoryVirtualization,
  PostCopyPaging,
  NetworkBackend,
  TimeKeeping,
  VcpuScheduler,
  definePlugin,
} from '@visorkit/core';
import { xenPvModule } from './xen-pv-module.js';
import { XEN_PV_DEFAULTS, type XenPvOptions } from './xen-pv-options.js';

/**
 * The xen-pv plugin (Xen 3 defaults); `xenPvPlugin.configure({ pageTableMode: 'batched', scheduler: 'bvt' })` is Xen 1.x.
 *
 * @public
 */
export const xenPvPlugin = definePlugin<XenPvOptions>({
  name: 'xen-pv',
  version: '0.1.0',
  description: 'Xen paravirtualisation: ring-1 guests, validated page tables, I/O rings, Dom0.',
  provides: [MemoryVirtualization, CpuVirtualization, VcpuScheduler, TimeKeeping, NetworkBackend, BlockBackend, DirtyLogging, PostCopyPaging, MemoryBalloon],
  // Dirty logging, post-copy and the balloon are its memory's own; the block back end checks
  // Xen's page types in that memory before a device writes a page. Composed without memory,
  // they go with it.
  builtOn: [
    { point: DirtyLogging, on: MemoryVirtualization },
    { point: PostCopyPaging, on: MemoryVirtualization },
    { point: MemoryBalloon, on: MemoryVirtualization },
    { point: BlockBackend, on: MemoryVirtualization },
  ],
  capabilities: [Capability.MultipleKernels, Capability.KernelModules, Capability.CheckpointResume, Capability.LiveMigration, Capability.LiveUpdate],
  defaults: XEN_PV_DEFAULTS,
  validate(o) {
    if (o.pageTableMode !== 'batched' && o.pageTableMode !== 'writable' && o.pageTableMode !== 'emulated')
      throw new InvalidArgumentError('pageTableMode', `expected 'batched', 'writable' or 'emulated', got '${String(o.pageTableMode)}'`);
    if (!Number.isInteger(o.batchSize) || o.batchSize < 1 || o.batchSize > 4096)
      throw new InvalidArgumentError('batchSize', `expected an integer from 1 to 4096, got ${o.batchSize}`);
    if (o.scheduler !== 'bvt' && o.scheduler !== 'credit')
      throw new InvalidArgumentError('scheduler', `expected 'bvt' or 'credit', got '${String(o.scheduler)}'`);
    if (o.receive !== 'flip' && o.receive !== 'copy') throw new InvalidArgumentError('receive', `expected 'flip' or 'copy', got '${String(o.receive)}'`);
    if (o.backend !== 'xen' && o.backend !== 'dom0') throw new InvalidArgumentError('backend', `expected 'xen' or 'dom0', got '${String(o.backend)}'`);
  },
  module: xenPvModule,
});

export { xenPvModule } from './xen-pv-module.js';
export { XenPvOptions, XEN_PV_DEFAULTS } from './xen-pv-options.js';
export { XenPvMemory, HYPERCALL } from './memory/xen-pv-memory.js';
export { XenPvCpu } from './cpu/xen-pv-cpu.js';
export { CreditScheduler, BvtScheduler } from './scheduler/xen-schedulers.js';
export { BvtDomain, type BvtDomainParameters } from './scheduler/bvt-domain.js';
export { XenSplitNetwork, HYPERCALL_VFR_OP } from './io/xen-split-network.js';
export { HYPERCALL_EVENT_CHANNEL_OP } from './io/split-device.js';
export { XenSplitBlock, HYPERCALL_VBD_OP, type Extent } from './io/xen-split-block.js';
export { VirtualFirewallRouter, type VfrRule } from './io/virtual-firewall-router.js';
export { XenIoOptions } from './io/xen-io-options.js';
export { XenControl, XenControlService, HYPERCALL_DOMCTL, type MemoryTargetWatcher } from './control/xen-control.js';
export { XEN_PATH } from './xen-pv-path-lengths.js';
export { XEN_SCHEDULER } from './scheduler/xen-scheduler-constants.js';
export { XEN_PV_FITTED } from './calibration.js';
export { XEN_PV_PRIMITIVES } from './xen-pv-primitives.js';
