/**
 * @visorkit/native — bare metal. All six extension points, as the hardware does them with
 * one OS in ring 0: the baseline every visorkit result is normalised to.
 */
import {
  BlockBackend,
  Capability,
  CpuVirtualization,
  FailureScope,
  InvalidArgumentError,
  MemoryVirtualization,
  NetworkBackend,
  TimeKeeping,
  VcpuScheduler,
  definePlugin,
} from '@visorkit/core';
import { nativeModule } from './native-module.js';
import { NATIVE_DEFAULTS, type NativeOptions } from './native-options.js';

/**
 * The native plugin. `nativePlugin.configure({ schedulerLatencyMs: 12 })` changes an option.
 *
 * @public
 */
export const nativePlugin = definePlugin<NativeOptions>({
  name: 'native',
  version: '0.1.0',
  description: 'Bare metal: one OS in ring 0, direct page tables, untagged TLB, direct devices.',
  // One OS: what runs on it shares its kernel, and a kernel fault takes everything down.
  provides: [MemoryVirtualization, CpuVirtualization, VcpuScheduler, TimeKeeping, NetworkBackend, BlockBackend, FailureScope],
  // Bare metal runs one kernel; it can load modules into it. Nothing else of the features table.
  capabilities: [Capability.KernelModules],
  defaults: NATIVE_DEFAULTS,
  validate(o) {
    if (!(o.schedulerLatencyMs > 0)) throw new InvalidArgumentError('schedulerLatencyMs', `must be > 0, got ${o.schedulerLatencyMs}`);
    if (!(o.minGranularityMs > 0 && o.minGranularityMs <= o.schedulerLatencyMs))
      throw new InvalidArgumentError('minGranularityMs', `must be in (0, schedulerLatencyMs], got ${o.minGranularityMs}`);
  },
  module: nativeModule,
});

export { nativeModule } from './native-module.js';
export { NativeOptions, NATIVE_DEFAULTS } from './native-options.js';
export { NativeMemory } from './memory/native-memory.js';
export { NativeCpu } from './cpu/native-cpu.js';
export { OneKernelFailureScope } from './cpu/one-kernel-failure-scope.js';
export { CfsScheduler } from './scheduler/cfs-scheduler.js';
export { NativeBlock } from './block/native-block.js';
export { NATIVE_PATH } from './native-path-lengths.js';
