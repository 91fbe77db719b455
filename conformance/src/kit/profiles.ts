import { bundledProfiles, type MachineProfile } from '@visorkit/core';
import type { Compose } from '../contract.js';

const cache = new WeakMap<Compose, MachineProfile[]>();

/**
 * Every machine the composition runs on: each bundled profile (one per page-table format),
 * and each again with the TLB's tagging flipped where the composition accepts that — so
 * every contract meets both tagged (VPID/ASID/PCID) and untagged TLBs when it can.
 *
 * @public
 */
export function machinesFor(compose: Compose): MachineProfile[] {
  const known = cache.get(compose);
  if (known !== undefined) return known;
  const out: MachineProfile[] = [];
  for (const p of bundledProfiles) {
    const flipped: MachineProfile = {
      ...p,
      name: `${p.name} (${p.cpu.taggedTlb ? 'untagged' : 'tagged'} TLB)`,
      cpu: { ...p.cpu, taggedTlb: !p.cpu.taggedTlb },
    };
    for (const candidate of [p, flipped]) {
      try {
        compose(candidate).dispose();
        out.push(candidate);
      } catch {
        // the platform needs hardware this machine lacks
      }
    }
  }
  if (out.length === 0) throw new Error('the composition runs on none of the bundled machine profiles');
  cache.set(compose, out);
  return out;
}

/**
 * A machine with `cores` pCPUs (and, with `memoryMiB`, that much RAM: memory pressure).
 *
 * @public
 */
export function resized(profile: MachineProfile, cores: number, memoryMiB?: number): MachineProfile {
  return { ...profile, cpu: { ...profile.cpu, cores }, memory: memoryMiB === undefined ? profile.memory : { ...profile.memory, sizeMiB: memoryMiB } };
}
