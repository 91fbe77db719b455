import type { MachineProfile } from '@visorkit/core';
import { XEN_PATH } from '../xen-pv-path-lengths.js';

/**
 * Path lengths (instructions) of Xen's split-driver I/O, turned into cycles with the
 * profile's CPI: a view of the ledger's {@link XEN_PATH} entries.
 */
export const XEN_IO_INSTRUCTIONS = XEN_PATH.value;

/** Cycles of `instructions` kernel instructions on `profile`. */
export function ioCycles(profile: MachineProfile, instructions: number): number {
  return instructions * profile.cpu.kernelCpi;
}
