import { createHypervisor, type HypervisorOptions, type MachineProfile } from '@visorkit/core';
import { hwAssistPlugin } from '@visorkit/hw-assist';
import { nativePlugin } from '@visorkit/native';
import type { ComposeOptions, PlatformSpec } from '@visorkit/workloads';

/** The platforms `--platforms` accepts, each plugin with its default options. */
export const platformRegistry: readonly PlatformSpec[] = [
  {
    name: 'native',
    description: 'bare metal: one OS, instances are its processes',
    isolation: 'processes',
    compose: (profile: MachineProfile, o: ComposeOptions) => createHypervisor({ machine: profile, plugins: [nativePlugin], options: machineOptions(o) }),
  },
  {
    name: 'hvm-ept',
    description: 'VT-x with nested paging (EPT), 4 KiB host pages, virtio devices',
    isolation: 'domains',
    unsupportedOn: needsNestedPaging,
    compose: (profile, o) => createHypervisor({ machine: profile, plugins: [hwAssistPlugin], options: machineOptions(o) }),
  },
  {
    name: 'hvm-ept-2m',
    description: 'VT-x with nested paging mapped by 2 MiB host pages, virtio devices',
    isolation: 'domains',
    unsupportedOn: needsNestedPaging,
    compose: (profile, o) => createHypervisor({ machine: profile, plugins: [hwAssistPlugin.configure({ largePages: true })], options: machineOptions(o) }),
  },
  {
    name: 'hvm-shadow',
    description: 'VT-x with shadow page tables (every guest page-table write exits), virtio devices',
    isolation: 'domains',
    unsupportedOn: (p) => (p.cpu.hardwareVirtualization ? undefined : 'no VT-x/AMD-V'),
    compose: (profile, o) => createHypervisor({ machine: profile, plugins: [hwAssistPlugin.configure({ paging: 'shadow' })], options: machineOptions(o) }),
  },
  {
    name: 'hvm-sriov',
    description: 'VT-x with nested paging and an SR-IOV virtual function per domain, posted interrupts',
    isolation: 'domains',
    unsupportedOn: (p) => needsNestedPaging(p) ?? (p.nic.sriovVirtualFunctions > 0 && p.nic.iommu ? undefined : 'no SR-IOV NIC with an IOMMU'),
    compose: (profile, o) => createHypervisor({ machine: profile, plugins: [hwAssistPlugin.configure({ io: 'sriov', interrupts: 'posted' })], options: machineOptions(o) }),
  },
];

function needsNestedPaging(p: MachineProfile): string | undefined {
  return p.cpu.nestedPaging ? undefined : 'no nested paging (EPT/NPT)';
}

/** Keeps only the options a hypervisor takes (exactOptionalPropertyTypes: no undefined keys). */
export function machineOptions(o: ComposeOptions): HypervisorOptions {
  return {
    seed: o.seed,
    ...(o.memoryMiB !== undefined ? { memoryMiB: o.memoryMiB } : {}),
    ...(o.cores !== undefined ? { cores: o.cores } : {}),
    ...(o.simulator !== undefined ? { simulator: o.simulator } : {}),
  };
}
