import { ContainerModule, Machine, UnsupportedCapabilityError, definePlugin, type Hypervisor, type Plugin } from '@visorkit/core';
import { ContainerPolicy } from '@visorkit/guest';
import { VserverGuestContexts } from './guest/vserver-guest-contexts.js';

/**
 * Linux-VServer contexts inside the guests of a VM platform: provides only the guest kernel's
 * {@link ContainerPolicy} — a {@link VserverGuestContexts}, one context table per domain —
 * and leaves scheduling, devices and memory to the platform whose domains host the
 * contexts. No kernel is shared across domains: a kernel fault takes down one VM's contexts,
 * not the machine's. A VM's checkpoint carries its context table, so the platform's
 * checkpoint/resume (and live migration) stay; what the shared-kernel plugin withholds
 * (multiple kernels, kernel modules…) is a property of one kernel per machine, not of
 * containers inside VMs.
 *
 * @public
 */
export const vserverGuestsPlugin = definePlugin({
  name: 'vserver-guests',
  version: '0.1.0',
  description: "Linux-VServer contexts in every guest's kernel: containers on the platform's VMs.",
  provides: [ContainerPolicy],
  capabilities: [],
  defaults: {},
  module: () =>
    new ContainerModule((o) => {
      o.bind(ContainerPolicy)
        .toDynamicValue((context) => new VserverGuestContexts(context.get<Machine>(Machine).profile))
        .inSingletonScope();
    }),
});

/**
 * Containers on VMs: the VM platform `vm` (hw-assist's, typically) with Linux-VServer contexts
 * in its guests' kernels. Container operations pay the VM's costs for the kernel's work
 * (nested walks, VM exits) and vserver's context checks on top.
 *
 * @example
 * ```ts
 * const hv = createHypervisor({ machine: modern, plugins: vserverInGuestsOf(hwAssistPlugin) });
 * const vm = hv.createDomain({ name: 'vm', vcpus: 2, memoryMiB: 4096 });
 * const kernel = bootGuest(hv, vm);
 * vserverGuestContextsOf(hv).of(vm).define(1, { maxProcesses: 64 });
 * kernel.spawn('/bin/httpd', 1);
 * ```
 *
 * @public
 */
export function vserverInGuestsOf(vm: Plugin): Plugin[] {
  return [vm, vserverGuestsPlugin];
}

/**
 * The per-domain context tables of `hv`'s guests (a composition made with
 * {@link vserverInGuestsOf}). Throws a typed error when `hv` has no `vserver-guests` plugin.
 *
 * @public
 */
export function vserverGuestContextsOf(hv: Hypervisor): VserverGuestContexts {
  const policy = hv.service(ContainerPolicy);
  if (!(policy instanceof VserverGuestContexts))
    throw new UnsupportedCapabilityError(hv.name, 'vserver contexts in guests', 'it is not composed with the vserver-guests plugin (vserverInGuestsOf)');
  return policy;
}
