import type { DomainObserver } from '../domain/domain-observer.js';
import type { Domain } from '../domain/domain.js';
import type { Vcpu } from '../domain/vcpu.js';
import type { Gfn } from '../units/units.js';
import type { PagingGeometry } from './paging.js';

/**
 * Token for the {@link MemoryVirtualization} extension point.
 *
 * @public
 */
export const MemoryVirtualization = Symbol.for('visorkit.MemoryVirtualization');

/**
 * Result of {@link MemoryVirtualization.translate} when the access faults.
 *
 * @public
 */
export const TRANSLATION_FAULT = -1;

/**
 * How a guest's memory is virtualised: who owns which frames, how page-table writes reach
 * the tables the hardware walks, and what a TLB miss costs.
 *
 * The guest kernel is the same on every platform. It keeps its page tables in frames of its
 * own (guest frame numbers, `Gfn`) and writes entries in guest format
 * (`makePte(gfn, flags)`) through {@link writePte}. Native stores the entry; Xen PV turns the
 * frame into a machine frame, validates and batches; shadow paging traps and re-syncs;
 * nested paging stores and pays on TLB misses. All costs are charged to the calling vCPU.
 *
 * Callers: the guest kernel model (all methods but the observer hooks), the hypervisor
 * facade (observer hooks). Implementations must never let a domain reach a frame it does
 * not own: a bad request throws a typed error, counts a privilege violation, and changes
 * nothing.
 *
 * @public
 */
export interface MemoryVirtualization extends DomainObserver {
  /** Page-table geometry guests build on this machine. */
  readonly geometry: PagingGeometry;

  /** Guest frames the domain may use: gfns are `0 .. frames(domain) - 1`. */
  frames(domain: Domain): number;

  /** Machine frame behind a guest frame, or -1 when not populated (for devices, tests, migration). */
  machineFrame(domain: Domain, frame: Gfn): number;

  /**
   * Declares that guest frame `frame` now holds a page table of `level` (1 = leaf) and
   * will be written only through {@link writePte}. Xen types and pins it; native does nothing.
   * `kernelEntries` counts entries of the guest kernel's own mappings that the guest copied
   * into the table when it built it (the kernel half of a new address space): a platform that
   * validates page tables checks and references each of them on pin and drops them on unpin.
   */
  pinPageTable(vcpu: Vcpu, frame: Gfn, level: number, kernelEntries?: number): void;

  /** The frame no longer holds a page table (it was freed). */
  unpinPageTable(vcpu: Vcpu, frame: Gfn): void;

  /** Writes entry `index` of the page table in `table` (guest format). */
  writePte(vcpu: Vcpu, table: Gfn, index: number, entry: number): void;

  /** Reads entry `index` of the page table in `table`, in guest format. */
  readPte(vcpu: Vcpu, table: Gfn, index: number): number;

  /**
   * Enters lazy-MMU mode: page-table writes until {@link flushBatch} may be queued and applied
   * together (Linux's `arch_enter_lazy_mmu_mode`). Platforms without batching ignore it.
   */
  beginBatch(vcpu: Vcpu): void;

  /** Applies queued page-table writes, then leaves lazy-MMU mode. */
  flushBatch(vcpu: Vcpu): void;

  /**
   * Makes `root` the active address space of `vcpu` (called by CpuVirtualization when the
   * guest loads its page-table base). Untagged TLBs are flushed here.
   */
  activate(vcpu: Vcpu, root: Gfn, addressSpace: number): void;

  /**
   * Translates a virtual address for an access by `vcpu` in the active address space:
   * the TLB first, the page walk on a miss (charged). Returns the guest frame (`Gfn`) the page
   * maps, or {@link TRANSLATION_FAULT} when the guest must take a page fault (not present, or
   * a write to a read-only mapping).
   */
  translate(vcpu: Vcpu, virtualPage: number, write: boolean): number;

  /**
   * Drops the TLB entries of one virtual page after the guest changed a mapping: in every
   * address space of the vCPU's domain (the guest may have changed a space that is not the
   * active one; with tagged TLBs its entries would otherwise survive the next switch).
   */
  invalidatePage(vcpu: Vcpu, virtualPage: number): void;

  /** Drops the whole TLB of the active address space. */
  flushTlb(vcpu: Vcpu): void;

  /** Zeroes a guest frame (charged as a page zero). */
  zeroFrame(vcpu: Vcpu, frame: Gfn): void;

  /** Copies guest frame `from` to `to` (charged as a page copy). */
  copyFrame(vcpu: Vcpu, to: Gfn, from: Gfn): void;

  /**
   * Optional dirty logging for live migration: from now on, record every guest frame the
   * domain writes (through translations for writes, page zero/copy, page-table writes).
   * The first write to a frame in each round costs the writer a log-dirty fault.
   */
  startDirtyLog?(domain: Domain): void;
  /** Frames written since the last call (ascending); clears the log. */
  collectDirty?(domain: Domain): number[];
  /** Whether `gfn` was written since the last {@link collectDirty}, leaving the log as it is (a peek). */
  peekDirty?(domain: Domain, gfn: number): boolean;
  /** Stops dirty logging. */
  stopDirtyLog?(domain: Domain): void;
  /**
   * Balloon: the guest hands `frames` back to the hypervisor. They stop being backed by
   * machine memory and may not be touched until reclaimed. Absent where there is no balloon.
   */
  releaseFrames?(vcpu: Vcpu, frames: readonly Gfn[]): void;
  /** Balloon: the guest takes released frames back, refused beyond its current maximum. */
  reclaimFrames?(vcpu: Vcpu, frames: readonly Gfn[]): void;
  /** Every guest frame the domain has populated (what a first migration round sends). */
  populatedFrames?(domain: Domain): number[];
  /**
   * Post-copy: `gfns` of the (arriving) domain still live on the source; the first touch of
   * one calls `fetch` before the access completes.
   */
  expectRemotePages?(domain: Domain, gfns: readonly number[], fetch: (vcpu: Vcpu, gfn: number) => void): void;
  /** Post-copy: the background push delivered `gfn`; returns false if it was already here. */
  pageArrived?(domain: Domain, gfn: number): boolean;
}
