import type { DomainObserver } from '../domain/domain-observer.js';
import type { Domain } from '../domain/domain.js';
import type { Vcpu } from '../domain/vcpu.js';
import type { Gfn, Mfn } from '../units/units.js';
import type { PagingGeometry } from './paging.js';

/**
 * Token for the {@link MemoryVirtualization} extension point.
 *
 * @public
 */
export const MemoryVirtualization = Symbol.for('visorkit.MemoryVirtualization');

/**
 * Result of {@link MemoryVirtualization.translate} when the access faults (never a real frame).
 *
 * @public
 */
// oxlint-disable-next-line typescript/no-unsafe-type-assertion -- the one sentinel value of the unit
export const TRANSLATION_FAULT = -1 as Gfn;

/**
 * Result of {@link MemoryVirtualization.machineFrame} for a guest frame no machine frame backs
 * (not populated yet, ballooned out, or outside the domain). Never a real frame.
 *
 * @public
 */
// oxlint-disable-next-line typescript/no-unsafe-type-assertion -- the one sentinel value of the unit
export const NO_MACHINE_FRAME = -1 as Mfn;

/**
 * Why a caller outside the guest's own accesses wants a machine frame: to read it, or to
 * write it (device DMA into the guest, a restore or an arriving migration page). A write
 * counts as the domain writing the frame: it is dirty-logged, and a frame shared by several
 * domains (content-based sharing) is unshared first, so the write reaches only this domain.
 *
 * @public
 */
export type FrameAccess = 'read' | 'write';

/**
 * The paging point: how a guest's memory is virtualised — who owns which frames, how
 * page-table writes reach the tables the hardware walks (map, unmap), how the active address
 * space is switched, what a translation and a TLB miss cost, and which machine frame backs a
 * guest frame. Everything else a platform may add to memory is an optional point of its own:
 * dirty logging (`DirtyLogging`), post-copy demand paging (`PostCopyPaging`), the
 * balloon (`MemoryBalloon`); devices assigned to guests and their IOMMU are the
 * `DeviceAssignment` point. A plugin that wraps paging (content-based sharing, say)
 * `decorates` this token and receives the provider's binding through `decorated(...)`.
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

  /**
   * Machine frame behind a guest frame, or {@link NO_MACHINE_FRAME} when none backs it (for
   * devices, checkpoints, migration, tests). It never populates a frame. With `access`
   * `'write'` the caller is about to write the frame on the domain's behalf (see
   * {@link FrameAccess}); reads leave everything as it was.
   */
  machineFrame(domain: Domain, frame: Gfn, access: FrameAccess): Mfn;

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
  translate(vcpu: Vcpu, virtualPage: number, write: boolean): Gfn;

  /**
   * Drops the TLB entries of one virtual page after the guest changed a mapping: in every
   * address space of the vCPU's domain (the guest may have changed a space that is not the
   * active one; with tagged TLBs its entries would otherwise survive the next switch).
   */
  invalidatePage(vcpu: Vcpu, virtualPage: number): void;

  /** Drops the whole TLB of the active address space (the guest asked: charged to it). */
  flushTlb(vcpu: Vcpu): void;

  /**
   * The CPU point switched `vcpu`'s pCPU to it from a vCPU of another address space (a
   * world switch, or a process switch on bare metal): drop what the TLB cannot keep across
   * it (everything when untagged, nothing when tagged). Uncharged: the CPU point charged
   * the switch itself.
   */
  worldSwitch(vcpu: Vcpu): void;

  /** Zeroes a guest frame (charged as a page zero). */
  zeroFrame(vcpu: Vcpu, frame: Gfn): void;

  /** Copies guest frame `from` to `to` (charged as a page copy). */
  copyFrame(vcpu: Vcpu, to: Gfn, from: Gfn): void;

  /**
   * The guest kernel stores into guest frame `frame` through its own mapping of it: a copy
   * into a socket buffer or the page cache. The caller has charged the copy itself (bytes
   * over the memory bus); the platform charges what it adds to a store into guest memory —
   * while dirty logging is on, the frame is logged, and its first write in a round costs the
   * writer a log-dirty fault, as a user store does through {@link translate}. (A device's
   * write on the guest's behalf is {@link machineFrame} with `'write'`: logged, no fault.)
   * Called once per frame a copy writes, allocation-free.
   */
  writeFrame(vcpu: Vcpu, frame: Gfn): void;
}
