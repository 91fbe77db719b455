/**
 * @visorkit/vserver — Linux-VServer container contexts on one shared kernel. It provides
 * what differs from the kernel it runs on: the context token-bucket CPU scheduler and the
 * context-filtered network stack. Compose it with a kernel that provides the rest, e.g.
 * `vserverOn(nativePlugin)`: memory, CPU, time and disk are then the native kernel's, at
 * native cost — no hypervisor on the path. Or put contexts in the guests of a VM platform —
 * containers on VMs — with `vserverInGuestsOf(hwAssistPlugin)`.
 */
import {
  BlockBackend,
  Capability,
  CpuVirtualization,
  MemoryVirtualization,
  NetworkBackend,
  TimeKeeping,
  UnsupportedCapabilityError,
  VcpuScheduler,
  definePlugin,
  type Hypervisor,
  type Plugin,
} from '@visorkit/core';
import { ContainerPolicy } from '@visorkit/guest';
import { VserverContexts } from './guest/vserver-contexts.js';
import { vserverModule } from './vserver-module.js';

/**
 * The vserver plugin. Declares, as the seed's features table does, what containers cannot do.
 *
 * @public
 */
export const vserverPlugin = definePlugin({
  name: 'vserver',
  version: '0.1.0',
  description: 'Linux-VServer contexts: one shared kernel, token-bucket CPU limits, network contexts.',
  provides: [VcpuScheduler, NetworkBackend, ContainerPolicy],
  // The shared kernel it runs on: its memory, CPU, time and disk.
  requires: [MemoryVirtualization, CpuVirtualization, TimeKeeping, BlockBackend],
  capabilities: [],
  // One kernel for every context: no other kernel, no modules from inside a context, and in
  // the seed's design no checkpoint, migration or live update.
  withholds: [Capability.MultipleKernels, Capability.KernelModules, Capability.CheckpointResume, Capability.LiveMigration, Capability.LiveUpdate],
  defaults: {},
  module: vserverModule,
});

/**
 * Linux-VServer on the shared kernel `kernel` provides (native's, typically): the kernel's
 * vCPU scheduler and network stack give way to vserver's context-aware ones; memory, CPU,
 * time and disk stay the kernel's.
 *
 * @example
 * ```ts
 * const hv = createHypervisor({ machine: server2007, plugins: vserverOn(nativePlugin) });
 * ```
 *
 * @public
 */
export function vserverOn(kernel: Plugin): Plugin[] {
  return [kernel.without(VcpuScheduler, NetworkBackend), vserverPlugin];
}

/**
 * The context table of `hv`'s shared kernel — the `VserverContexts` every guest kernel booted
 * on it (without an explicit policy) consults. Define contexts on it before spawning into them:
 *
 * ```ts
 * vserverContextsOf(hv).define(1, { maxProcesses: 64, root: '/vservers/web' });
 * kernel.spawn('/bin/httpd', 1);
 * ```
 * Throws a typed error when `hv` has no vserver plugin.
 *
 * @public
 */
export function vserverContextsOf(hv: Hypervisor): VserverContexts {
  const policy = hv.service(ContainerPolicy);
  if (!(policy instanceof VserverContexts)) throw new UnsupportedCapabilityError(hv.name, 'vserver contexts', 'it is not composed with the vserver plugin');
  return policy;
}

export { vserverModule } from './vserver-module.js';
export { vserverGuestContextsOf, vserverGuestsPlugin, vserverInGuestsOf } from './vserver-in-guests.js';
export { VserverGuestContexts } from './guest/vserver-guest-contexts.js';
export { ContextTokenBucketScheduler } from './scheduler/context-token-bucket-scheduler.js';
export { ContextNetwork } from './network/context-network.js';
export { VserverContexts, type ContextSettings } from './guest/vserver-contexts.js';
export { InvalidContextSettingsError } from './guest/invalid-context-settings-error.js';
export { VSERVER_PATH } from './vserver-path-lengths.js';
