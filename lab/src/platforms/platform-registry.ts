import { createHypervisor, type MachineProfile } from '@visorkit/core';
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
];

/** Keeps only the options a hypervisor takes (exactOptionalPropertyTypes: no undefined keys). */
export function machineOptions(o: ComposeOptions): { seed: number; memoryMiB?: number; cores?: number } {
  return { seed: o.seed, ...(o.memoryMiB !== undefined ? { memoryMiB: o.memoryMiB } : {}), ...(o.cores !== undefined ? { cores: o.cores } : {}) };
}
