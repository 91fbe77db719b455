/**
 * @visorkit/hw-assist — hardware-assisted virtualisation: VT-x/AMD-V exits, nested paging
 * (EPT/NPT) or shadow paging, tagged TLBs, SR-IOV virtual functions behind an IOMMU.
 */
import {
  BlockBackend,
  Capability,
  CpuVirtualization,
  DeviceAssignment,
  DirtyLogging,
  InvalidArgumentError,
  MemoryVirtualization,
  NetworkBackend,
  PostCopyPaging,
  TimeKeeping,
  VcpuScheduler,
  definePlugin,
} from '@visorkit/core';
import { hwAssistModule } from './hw-assist-module.js';
import { HW_ASSIST_DEFAULTS, type HwAssistOptions } from './hw-assist-options.js';

/**
 * The hw-assist plugin: `hwAssistPlugin.configure({ paging: 'shadow' })` and so on.
 *
 * @public
 */
export const hwAssistPlugin = definePlugin<HwAssistOptions>({
  name: 'hw-assist',
  version: '0.1.0',
  description: 'VT-x/AMD-V with nested (EPT) or shadow paging, tagged TLBs and SR-IOV.',
  provides: [MemoryVirtualization, CpuVirtualization, VcpuScheduler, TimeKeeping, NetworkBackend, BlockBackend, DirtyLogging, PostCopyPaging, DeviceAssignment],
  // Dirty logging and post-copy are the paging model's own; the CPU (world switches, VPIDs) and
  // the virtio back ends (populating, IOMMU) reach that model by its class; the assigned
  // functions are the NIC's. Composed without memory (or network), they go with it.
  builtOn: [
    { point: DirtyLogging, on: MemoryVirtualization },
    { point: PostCopyPaging, on: MemoryVirtualization },
    { point: CpuVirtualization, on: MemoryVirtualization },
    { point: NetworkBackend, on: MemoryVirtualization },
    { point: BlockBackend, on: MemoryVirtualization },
    { point: DeviceAssignment, on: NetworkBackend },
  ],
  capabilities: [
    Capability.MultipleKernels,
    Capability.KernelModules,
    Capability.CheckpointResume,
    Capability.LiveMigration,
    Capability.LiveUpdate,
    Capability.DevicePassthrough,
  ],
  defaults: HW_ASSIST_DEFAULTS,
  validate(o) {
    if (o.paging !== 'ept' && o.paging !== 'shadow') throw new InvalidArgumentError('paging', `expected 'ept' or 'shadow', got '${String(o.paging)}'`);
    if (o.io !== 'sriov' && o.io !== 'virtio') throw new InvalidArgumentError('io', `expected 'sriov' or 'virtio', got '${String(o.io)}'`);
    if (o.interrupts !== 'exit' && o.interrupts !== 'posted')
      throw new InvalidArgumentError('interrupts', `expected 'exit' or 'posted', got '${String(o.interrupts)}'`);
    if (o.largePages && o.paging !== 'ept') throw new InvalidArgumentError('largePages', 'large host pages need nested paging (paging: ept)');
  },
  module: hwAssistModule,
});

export { hwAssistModule } from './hw-assist-module.js';
export { HwAssistOptions, HW_ASSIST_DEFAULTS } from './hw-assist-options.js';
export { HvmMemory } from './memory/hvm-memory.js';
export { NestedPagingMemory } from './memory/nested-paging-memory.js';
export { ShadowPagingMemory } from './memory/shadow-paging-memory.js';
export { EptTables } from './memory/ept-tables.js';
export { HvmCpu } from './cpu/hvm-cpu.js';
export { HvmNetwork } from './io/hvm-network.js';
export { HvmBlock } from './io/hvm-block.js';
export { HW_ASSIST_PATH } from './hw-assist-path-lengths.js';
