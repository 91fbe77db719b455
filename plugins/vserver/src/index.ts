/**
 * @visorkit/vserver — Linux-VServer container contexts on one shared kernel. It provides
 * what differs from the kernel it runs on: the context token-bucket CPU scheduler and the
 * context-filtered network stack. Compose it with a kernel that provides the rest, e.g.
 * `[nativePlugin.without(VcpuScheduler, NetworkBackend), vserverPlugin]`: memory, CPU, time
 * and disk are then the native kernel's, at native cost — no hypervisor on the path.
 */
import { Capability, NetworkBackend, VcpuScheduler, definePlugin } from '@visorkit/core';
import { vserverModule } from './vserver-module.js';

/** The vserver plugin. Declares, as the seed's features table does, what containers cannot do. */
export const vserverPlugin = definePlugin({
  name: 'vserver',
  version: '0.1.0',
  description: 'Linux-VServer contexts: one shared kernel, token-bucket CPU limits, network contexts.',
  provides: [VcpuScheduler, NetworkBackend],
  capabilities: [],
  // One kernel for every context: no other kernel, no modules from inside a context, and in
  // the seed's design no checkpoint, migration or live update.
  withholds: [Capability.MultipleKernels, Capability.KernelModules, Capability.CheckpointResume, Capability.LiveMigration, Capability.LiveUpdate],
  sharedKernel: true,
  defaults: {},
  module: vserverModule,
});

export { vserverModule } from './vserver-module.js';
export { ContextTokenBucketScheduler } from './scheduler/context-token-bucket-scheduler.js';
export { ContextNetwork } from './network/context-network.js';
export { VserverContexts, type ContextSettings } from './guest/context-hooks.js';
