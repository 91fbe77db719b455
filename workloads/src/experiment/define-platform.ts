import { createHypervisor, type HypervisorOptions, type MachineProfile, type Plugin } from '@visorkit/core';
import type { ComposeOptions, IsolationUnit, PlatformSpec } from './experiment.js';

/**
 * What {@link definePlatform} takes.
 *
 * @public
 */
export interface PlatformDefinition {
  readonly name: string;
  readonly description: string;
  readonly isolation: IsolationUnit;
  /** Containers on VMs: the VM platform whose domain hosts the contexts ({@link PlatformSpec.stackedOn}). */
  readonly stackedOn?: string;
  /** The plugins, configured, that make up the platform. */
  readonly plugins: readonly Plugin[];
  /** Why the platform cannot run on a profile (missing hardware), or undefined. */
  readonly unsupportedOn?: (profile: MachineProfile) => string | undefined;
}

/**
 * A platform from plugins: composing it builds a fresh hypervisor on the given profile.
 *
 * @public
 */
export function definePlatform(def: PlatformDefinition): PlatformSpec {
  return {
    name: def.name,
    description: def.description,
    isolation: def.isolation,
    plugins: def.plugins,
    compose: (profile: MachineProfile, o: ComposeOptions) => createHypervisor({ machine: profile, plugins: def.plugins, options: hypervisorOptions(o) }),
    ...(def.unsupportedOn !== undefined ? { unsupportedOn: def.unsupportedOn } : {}),
    ...(def.stackedOn !== undefined ? { stackedOn: def.stackedOn } : {}),
  };
}

/**
 * Keeps only the options a hypervisor takes (no undefined keys).
 *
 * @public
 */
export function hypervisorOptions(o: ComposeOptions): HypervisorOptions {
  return {
    seed: o.seed,
    ...(o.memoryMiB !== undefined ? { memoryMiB: o.memoryMiB } : {}),
    ...(o.cores !== undefined ? { cores: o.cores } : {}),
    ...(o.simulator !== undefined ? { simulator: o.simulator } : {}),
  };
}

/**
 * A reason a profile lacks nested paging, or undefined.
 *
 * @public
 */
export function needsNestedPaging(p: MachineProfile): string | undefined {
  return p.cpu.nestedPaging ? undefined : 'no nested paging (EPT/NPT)';
}

/**
 * A reason a profile lacks VT-x/AMD-V, or undefined.
 *
 * @public
 */
export function needsHardwareVirtualization(p: MachineProfile): string | undefined {
  return p.cpu.hardwareVirtualization ? undefined : 'no VT-x/AMD-V';
}

/**
 * A reason a profile lacks an SR-IOV NIC behind an IOMMU (or nested paging), or undefined.
 *
 * @public
 */
export function needsSriov(p: MachineProfile): string | undefined {
  return needsNestedPaging(p) ?? (p.nic.sriovVirtualFunctions > 0 && p.nic.iommu ? undefined : 'no SR-IOV NIC with an IOMMU');
}
