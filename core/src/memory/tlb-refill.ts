import type { MachineProfile } from '../machine/machine-profile.js';

/**
 * What one TLB miss costs on `profile` when the hardware walks `references` paging-structure
 * entries to refill it: the miss's fixed cost (`tlb.missCycles`: the page-miss handler's
 * start, the fill, the access re-issued) plus each reference at the cost of a load the cache
 * hierarchy serves (`memory.cacheHitCycles`; walks are dependent loads). Both are the
 * profile's primitives; the walk's length is what the tables really held. Every paging model
 * prices its walks with this, so a workload whose pages outgrow the TLB's reach, or a switch
 * that flushes an untagged TLB, pays the same refill on every platform.
 *
 * Hot path: plain arithmetic, no allocation.
 *
 * @public
 */
export function tlbRefillCycles(profile: MachineProfile, references: number): number {
  return profile.tlb.missCycles + references * profile.memory.cacheHitCycles;
}

/**
 * Pages a TLB of `profile` maps at once with 4 KiB pages (its reach, in pages): a working set
 * larger than this misses on every sweep.
 *
 * @public
 */
