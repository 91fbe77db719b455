import type { MachineProfile } from '@visorkit/core';

/**
 * Path lengths (instructions) of Xen's split-driver I/O, turned into cycles with the
 * profile's CPI. Estimates from the structure of Xen 1.x/3.x netfront/netback and
 * blkfront/blkback: a descriptor is a few dozen instructions to fill, a grant/ownership check
 * a few dozen more, a page flip an ownership transfer plus a page-table update.
 */
export const XEN_IO_INSTRUCTIONS = {
  /** Front end: fill one request (descriptor with grant/frame references). */
  frontRequest: 150,
  /** Front end: consume one response and recycle its slot. */
  frontResponse: 80,
  /** Back end: take, copy out and validate one request (frame ownership per segment). */
  backRequest: 400,
  /** Back end: per-segment check and DMA mapping (scatter-gather, no copy). */
  backSegment: 120,
  /** The virtual firewall-router: match one frame against the rule list. */
  vfrMatch: 200,
  /** Event-channel upcall into the guest (evtchn handler dispatch). */
  upcall: 250,
  /** Page flip: transfer a page's ownership and fix the p2m/m2p entries. */
  flip: 600,
  /** Block back end: translate a virtual sector through the extent list. */
  extentTranslate: 100,
} as const;

/** Cycles of `instructions` kernel instructions on `profile`. */
export function ioCycles(profile: MachineProfile, instructions: number): number {
  return instructions * profile.cpu.kernelCpi;
}
