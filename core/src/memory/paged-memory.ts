/**
 * The paging point's common machinery, for plugins to extend: guest frames populated on first
 * use through the machine's guest-physical map, TLB tags allocated per domain and vCPU, the
 * active root per vCPU, translation (TLB lookup, walk and refill on a miss), shootdowns, flushes
 * on switches, page zero and copy, direct page-table stores, dirty logging and post-copy paging
 * over the map. A design changes what it must through narrow protected hooks:
 *
 * - {@link PagedMemory.walkRoot}: where a walk starts (the guest's own root, a shadow table…);
 * - {@link PagedMemory.refill}: the whole miss, for a walk of another shape (two-dimensional);
 * - {@link PagedMemory.chargeMiss}: what a miss costs;
 * - {@link PagedMemory.validateUpdate}: the checks on a page-table update before it is stored;
 * - {@link PagedMemory.logDirtyFault}: what a write's first log-dirty fault costs.
 *
 * Hot path (translate, the stores) allocation-free.
 */
import { CostCategory } from '../accounting/cost-category.js';
import { MechanismIndex } from '../accounting/mechanisms.js';
import { GuestRequestError } from '../dispatch/dispatch-errors.js';
import type { Domain } from '../domain/domain.js';
import type { Vcpu } from '../domain/vcpu.js';
import type { Machine } from '../machine/machine.js';
import type { Gfn, Mfn } from '../units/units.js';
import { ADDRESS_SPACES_PER_TAG_BLOCK, addressSpaceTag } from './address-space-tag.js';
import { GuestPhysicalMap } from './guest-physical-map.js';
import { TRANSLATION_FAULT, type FrameAccess, type MemoryVirtualization } from './memory-virtualization.js';
import { readTableEntry, WalkResult, walkPageTables, writeTableEntry } from './page-walker.js';
import { PTE_PRESENT, PTE_WRITABLE, makePte, pteFlags, pteFrame, pteGuestFrame, type PagingGeometry } from './paging.js';
import type { Tlb } from './tlb.js';
import { tlbRefillCycles } from './tlb-refill.js';

/**
 * What frame numbers a {@link PagedMemory}'s guest page tables and TLB entries hold.
 *
 * - `'machine'`: the tables the guest writes are the ones the hardware walks, so entries hold
 *   machine frames (converted on store, converted back on read) and so do TLB entries — native,
 *   Xen PV's direct paging.
 * - `'guest'`: the guest's tables hold its own frame numbers, stored as written; TLB entries hold
 *   guest frames — nested paging (the hardware translates them again) and shadow paging (the
 *   hardware walks shadow tables the plugin keeps).
 *
 * @beta
 */
export type PagedMemoryFrames = 'machine' | 'guest';

/**
 * How a {@link PagedMemory} is set up.
 *
 * @beta
 */
export interface PagedMemoryOptions {
  /** What the guest's tables and the TLB hold. */
  readonly frames: PagedMemoryFrames;
  /**
   * True when TLB entries survive address-space and world switches because they are tagged
   * (VPID/ASID/PCID); false when every switch flushes (native, Xen PV, hardware without tags).
   */
  readonly tagged: boolean;
  /**
   * Tag blocks (of {@link ADDRESS_SPACES_PER_TAG_BLOCK} address spaces) per domain: 1 when the
   * domain's vCPUs share one (default), more when each vCPU has a tag of its own (a VPID per
   * vCPU; vCPUs beyond share them round-robin).
   */
  readonly tagBlocksPerDomain?: number;
  /** Domains' worth of tag blocks kept for the host before the first domain's (default 0). */
  readonly hostTagDomains?: number;
  /** Populate guest memory in 2 MiB chunks (for host large pages) when the base makes its own map. */
  readonly largeChunks?: boolean;
}

/**
 * A reference paged-memory base: the paging point as bare-metal x86 hardware does it, for a
 * plugin to extend. A subclass that changes nothing behaves as bare metal with the options it
 * chose: direct page-table stores (one `pteWrite` each), hardware walks from the active root on
 * a TLB miss (charged with {@link tlbRefillCycles}), a TLB flushed on switches unless tagged,
 * page zero and copy at the profile's cost. What a design changes goes in the protected hooks
 * (see {@link PagedMemory.walkRoot}, {@link PagedMemory.refill}, {@link PagedMemory.chargeMiss},
 * {@link PagedMemory.validateUpdate}, {@link PagedMemory.logDirtyFault}) or in overrides that
 * add to `super`'s work. The members of `DirtyLogging` and `PostCopyPaging` are here too, over
 * the guest-physical map: a plugin offers those points by binding their tokens to its class.
 *
 * A subclass is `@injectable()` with its own constructor (every parameter `@inject`ed) and
 * passes the machine, the map the module binds under `GuestPhysicalMapToken` (or undefined:
 * the base makes one) and its {@link PagedMemoryOptions} to `super`.
 *
 * @example
 * ```ts
 * @injectable()
 * export class MyMemory extends PagedMemory {
 *   constructor(@inject(Machine) machine: Machine, @inject(GuestPhysicalMapToken) @optional() map?: GuestPhysicalMap) {
 *     super(machine, map, { frames: 'machine', tagged: false });
 *   }
 * }
 * ```
 *
 * @beta
 */
export abstract class PagedMemory implements MemoryVirtualization {
  /** The machine's page-table geometry (guests build their tables in it). */
  readonly geometry: PagingGeometry;
  /** The machine's guest-physical map (p2m/m2p, dirty log, remote pages). */
  protected readonly map: GuestPhysicalMap;
  /** Active root (gfn) per domain and vCPU, -1 when none. */
  protected readonly roots: (Int32Array | undefined)[] = [];
  /** The profile's primitive costs. */
  protected readonly costs: Machine['profile']['costs'];
  /** TLB entries survive switches (see {@link PagedMemoryOptions.tagged}). */
  protected readonly tagged: boolean;
  /** Tables and TLB entries hold machine frames (see {@link PagedMemoryFrames}). */
  readonly #machineFrames: boolean;
  readonly #tagBlocksPerDomain: number;
  readonly #hostTagDomains: number;
  readonly #walk = new WalkResult();
  /** Per tag, the root it was last loaded with. */
  readonly #tagRoots = new Map<number, number>();

  constructor(
    /** The machine whose memory, pCPU TLBs and profile this paging runs on. */
    readonly machine: Machine,
    map: GuestPhysicalMap | undefined,
    options: PagedMemoryOptions,
  ) {
    this.geometry = machine.geometry;
    // The module binds one map for the machine (a decorator reaches it); a bare instance makes its own.
    this.map = map ?? new GuestPhysicalMap(machine.memory, options.largeChunks ?? false);
    this.costs = machine.profile.costs;
    this.tagged = options.tagged;
    this.#machineFrames = options.frames === 'machine';
    this.#tagBlocksPerDomain = options.tagBlocksPerDomain ?? 1;
    this.#hostTagDomains = options.hostTagDomains ?? 0;
  }

  /** Adds the domain to the map (frames populated on first use), no active roots, its vCPUs on their tag blocks' first address space. */
  domainCreated(domain: Domain): void {
    this.map.add(domain);
    this.roots[domain.id] = new Int32Array(domain.vcpus.length).fill(-1);
    for (const v of domain.vcpus) v.asid = this.tagOf(v, 0);
  }

  /** Returns every frame the domain held to the machine. */
  domainDestroyed(domain: Domain): void {
    this.map.remove(domain);
    this.roots[domain.id] = undefined;
  }

  /** The domain's reservation in frames. */
  frames(domain: Domain): number {
    return this.map.frames(domain);
  }

  /** The map's machine frame for `frame` (never populating); a write on the domain's behalf is dirty-logged. */
  machineFrame(domain: Domain, frame: Gfn, access: FrameAccess): Mfn {
    const mfn = this.map.lookup(domain, frame);
    // A device's DMA or a restore writing the frame dirties it (no vCPU takes a log-dirty fault for it).
    if (access === 'write' && mfn >= 0) this.map.markDirty(domain, frame);
    return mfn;
  }

  /** A page table is just memory to the base: nothing to type or pin. */
  pinPageTable(_vcpu: Vcpu, _frame: Gfn, _level: number, _kernelEntries?: number): void {}

  /** Nothing to untype in the base. */
  unpinPageTable(_vcpu: Vcpu, _frame: Gfn): void {}

  /**
   * A direct store: {@link PagedMemory.validateUpdate} first (a refused update changes
   * nothing), then the entry stored in the tables' format, the table's frame noted as written,
   * one `pteWrite` charged.
   */
  writePte(vcpu: Vcpu, table: Gfn, index: number, entry: number): void {
    this.validateUpdate(vcpu, table, index, entry);
    const tableMfn = this.populate(vcpu, table);
    let stored = entry;
    if (this.#machineFrames) stored = (entry & PTE_PRESENT) !== 0 ? makePte(this.populate(vcpu, pteFrame(entry)), pteFlags(entry)) : 0;
    writeTableEntry(this.machine.memory, this.geometry, tableMfn, index, stored);
    this.noteWrite(vcpu, table);
    vcpu.charge(CostCategory.GuestKernel, this.costs.pteWrite);
    vcpu.count(MechanismIndex.PteWrite);
  }

  /** The entry in guest format (a machine-format entry's frame converted back). */
  readPte(vcpu: Vcpu, table: Gfn, index: number): number {
    const stored = readTableEntry(this.machine.memory, this.geometry, this.populate(vcpu, table), index);
    if (!this.#machineFrames || (stored & PTE_PRESENT) === 0) return stored;
    return makePte(this.map.reverse(pteFrame(stored)), pteFlags(stored));
  }

  /** No batching in the base: stores are applied as they come. */
  beginBatch(_vcpu: Vcpu): void {}

  /** Nothing queued in the base. */
  flushBatch(_vcpu: Vcpu): void {}

  /** Populates the root and loads it ({@link PagedMemory.loadRoot}). */
  activate(vcpu: Vcpu, root: Gfn, addressSpace: number): void {
    this.populate(vcpu, root);
    this.loadRoot(vcpu, root, addressSpace);
  }

  /**
   * The TLB first; on a miss {@link PagedMemory.refill} walks (charged) and the leaf is cached.
   * A write through a read-only entry faults; a write that succeeds is noted (dirty logging).
   */
  translate(vcpu: Vcpu, virtualPage: number, write: boolean): Gfn {
    const tlb = this.tlb(vcpu);
    let leaf = tlb.lookup(vcpu.asid, virtualPage);
    if (leaf < 0) {
      leaf = this.refill(vcpu, virtualPage);
      if (leaf < 0) return TRANSLATION_FAULT;
      tlb.insert(vcpu.asid, virtualPage, leaf);
    }
    if (write && (leaf & PTE_WRITABLE) === 0) return TRANSLATION_FAULT;
    const gfn = this.#machineFrames ? this.map.reverse(pteFrame(leaf)) : pteGuestFrame(leaf);
    if (write) {
      this.map.wrote(vcpu.domain, gfn);
      this.noteWrite(vcpu, gfn);
    }
    return gfn;
  }

  /** Shoots the page down in the domain's address spaces on every pCPU; charged as one INVLPG. */
  invalidatePage(vcpu: Vcpu, virtualPage: number): void {
    this.shootDown(vcpu, virtualPage);
    vcpu.charge(CostCategory.GuestKernel, this.costs.tlbInvalidatePage);
  }

  /** Drops this address space's entries (a tagged TLB's single-context flush) or the whole TLB; charged. */
  flushTlb(vcpu: Vcpu): void {
    if (this.tagged) this.tlb(vcpu).flushAsid(vcpu.asid);
    else this.tlb(vcpu).flushAll();
    vcpu.charge(CostCategory.GuestKernel, this.costs.pageTableBaseSwitch);
    vcpu.count(MechanismIndex.TlbFlush);
  }

  /** An untagged TLB loses everything on a switch (uncharged: the CPU point charged it); a tagged one keeps it. */
  worldSwitch(vcpu: Vcpu): void {
    if (this.tagged) return;
    this.tlb(vcpu).flushAll();
    vcpu.count(MechanismIndex.TlbFlush);
  }

  /** Zeroes the frame (populated first), noted as written; one `pageZero` charged. */
  zeroFrame(vcpu: Vcpu, frame: Gfn): void {
    this.machine.memory.zero(this.populate(vcpu, frame));
    this.noteWrite(vcpu, frame);
    vcpu.charge(CostCategory.GuestKernel, this.costs.pageZero);
    vcpu.count(MechanismIndex.PageZero);
  }

  /** Copies `from` into `to` (both populated), `to` noted as written; one `pageCopy` charged. */
  copyFrame(vcpu: Vcpu, to: Gfn, from: Gfn): void {
    // Check the source before populating the target: a refused copy changes nothing.
    if (!this.map.inRange(vcpu.domain, from)) this.populate(vcpu, from);
    this.machine.memory.copy(this.populate(vcpu, to), this.populate(vcpu, from));
    this.noteWrite(vcpu, to);
    vcpu.charge(CostCategory.GuestKernel, this.costs.pageCopy);
    vcpu.count(MechanismIndex.PageCopy);
  }

  /** A kernel store through its own mapping: the frame is populated and noted as written (the caller charged the copy). */
  writeFrame(vcpu: Vcpu, frame: Gfn): void {
    this.populate(vcpu, frame);
    this.map.wrote(vcpu.domain, frame);
    this.noteWrite(vcpu, frame);
  }

  // DirtyLogging and PostCopyPaging, over the map: bind their tokens to offer them.

  /** Starts log-dirty mode for the domain (`DirtyLogging`). */
  startDirtyLog(domain: Domain): void {
    this.map.startDirtyLog(domain);
  }

  /** Whether `gfn` was written since the log was last collected (`DirtyLogging`). */
  peekDirty(domain: Domain, gfn: Gfn): boolean {
    return this.map.isDirty(domain, gfn);
  }

  /** The frames written since the last collection, and a new round (`DirtyLogging`). */
  collectDirty(domain: Domain): Gfn[] {
    return this.map.collectDirty(domain);
  }

  /** Ends log-dirty mode (`DirtyLogging`). */
  stopDirtyLog(domain: Domain): void {
    this.map.stopDirtyLog(domain);
  }

  /** Frames a machine frame backs (`PostCopyPaging`). */
  populatedFrames(domain: Domain): Gfn[] {
    return this.map.populated(domain);
  }

  /** `gfns` are still on the source machine: the first touch of each calls `fetch` (`PostCopyPaging`). */
  expectRemotePages(domain: Domain, gfns: readonly Gfn[], fetch: (vcpu: Vcpu, gfn: Gfn) => void): void {
    this.map.expectRemote(domain, gfns, fetch);
  }

  /** A remote page arrived; false when it was not expected (`PostCopyPaging`). */
  pageArrived(domain: Domain, gfn: Gfn): boolean {
    return this.map.arrived(domain, gfn);
  }

  // ---- hooks and parts for subclasses ----

  /**
   * Hook: the machine frame of the table a hardware walk starts from for `vcpu`, or -1 when
   * it has none (the access faults, uncharged). Default: the active root's machine frame —
   * right when the guest's tables are the ones walked; shadow paging returns its shadow's.
   */
  protected walkRoot(vcpu: Vcpu): number {
    const root = this.root(vcpu);
    return root < 0 ? -1 : this.map.lookup(vcpu.domain, root);
  }

  /**
   * Hook: a TLB miss — walk, charge, and return the leaf to cache (in the TLB's format, see
   * {@link PagedMemoryFrames}) or a negative number when the guest must take a page fault.
   * Default: a one-dimensional hardware walk from {@link PagedMemory.walkRoot} over tables
   * holding machine frames, charged by {@link PagedMemory.chargeMiss}. Override for walks of
   * another shape (nested paging's two-dimensional walk), charging with `chargeMiss`.
   */
  protected refill(vcpu: Vcpu, virtualPage: number): number {
    const root = this.walkRoot(vcpu);
    if (root < 0) return -1;
    const walk = walkPageTables(this.machine.memory, this.geometry, root, virtualPage, this.#walk);
    this.chargeMiss(vcpu, walk.references);
    if (walk.faulted) return -1;
    return makePte(this.#machineFrames ? walk.frame : this.map.reverse(walk.frame), pteFlags(walk.pte));
  }

  /**
   * Hook: charges one TLB miss whose walk made `references` memory references. Default: the
   * refill the hardware pays ({@link tlbRefillCycles}), counted as a miss and its references.
   */
  protected chargeMiss(vcpu: Vcpu, references: number): void {
    vcpu.charge(CostCategory.GuestKernel, tlbRefillCycles(this.machine.profile, references));
    vcpu.count(MechanismIndex.TlbMiss);
    vcpu.count(MechanismIndex.PageWalkReference, references);
  }

  /**
   * Hook: the checks on an update of entry `index` of table `table` to `entry` (guest format)
   * before anything is stored; throws a typed error (a counted privilege violation) to refuse.
   * Default: a present entry must name a frame of the domain.
   */
  protected validateUpdate(vcpu: Vcpu, _table: Gfn, _index: number, entry: number): void {
    if ((entry & PTE_PRESENT) !== 0 && !this.map.inRange(vcpu.domain, pteFrame(entry))) {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new GuestRequestError(
        vcpu.domain.name,
        'page-table write',
        `entry names guest frame ${pteFrame(entry)}, outside its ${this.map.frames(vcpu.domain)} frames`,
      );
    }
  }

  /**
   * Hook: the first write to a frame in a log-dirty round hit a page write-protected for
   * tracking; charge the fault the design takes. Default: nothing (a design without dirty
   * logging never starts a round).
   */
  protected logDirtyFault(_vcpu: Vcpu, _gfn: number): void {}

  /** Notes a write to `gfn`: while dirty logging is on, its first write in a round is a {@link PagedMemory.logDirtyFault}. */
  protected noteWrite(vcpu: Vcpu, gfn: number): void {
    if (this.map.markDirty(vcpu.domain, gfn)) this.logDirtyFault(vcpu, gfn);
  }

  /**
   * Makes `root` the active root of `vcpu` under the tag of `addressSpace`: a tag last loaded
   * with other tables has its entries dropped everywhere (they belong to the old tables; a
   * vCPU back on a pCPU it last ran on is not switched there), and an untagged TLB is flushed.
   */
  protected loadRoot(vcpu: Vcpu, root: Gfn, addressSpace: number): void {
    this.roots[vcpu.domain.id]![vcpu.index] = root;
    vcpu.asid = this.tagOf(vcpu, addressSpace);
    const last = this.#tagRoots.get(vcpu.asid);
    if (last !== undefined && last !== root) {
      for (const p of this.machine.pcpus) p.tlb.flushAsid(vcpu.asid);
      // Untagged, the local flush below is the one counted.
      if (this.tagged) vcpu.count(MechanismIndex.TlbFlush);
    }
    this.#tagRoots.set(vcpu.asid, root);
    if (this.tagged) return;
    this.tlb(vcpu).flushAll();
    vcpu.count(MechanismIndex.TlbFlush);
  }

  /** The machine frame behind guest frame `gfn` of `vcpu`'s domain, populated on first use (range-checked: typed error). */
  protected populate(vcpu: Vcpu, gfn: number): number {
    return this.map.populate(vcpu, gfn);
  }

  /** The active root (gfn) of `vcpu`, or -1. */
  protected root(vcpu: Vcpu): number {
    return this.roots[vcpu.domain.id]?.[vcpu.index] ?? -1;
  }

  /** The TLB of the pCPU `vcpu` runs on (or last ran on). */
  protected tlb(vcpu: Vcpu): Tlb {
    const p = vcpu.pcpu >= 0 ? vcpu.pcpu : vcpu.lastPcpu >= 0 ? vcpu.lastPcpu : 0;
    return this.machine.pcpus[p]!.tlb;
  }

  /** The tag block of `vcpu`: its domain's blocks follow the host's, one per vCPU up to the per-domain count. */
  protected tagBlock(vcpu: Vcpu): number {
    const perDomain = this.#tagBlocksPerDomain;
    return (vcpu.domain.id + this.#hostTagDomains) * perDomain + (vcpu.index % perDomain);
  }

  /** The TLB tag of address space `addressSpace` of `vcpu` (core's one encoding, {@link addressSpaceTag}). */
  protected tagOf(vcpu: Vcpu, addressSpace: number): number {
    return addressSpaceTag(this.tagBlock(vcpu), addressSpace);
  }

  /** Drops `virtualPage` from every address space of `vcpu`'s domain on every pCPU (a shootdown), uncharged. */
  protected shootDown(vcpu: Vcpu, virtualPage: number): void {
    const tags = this.#tagBlocksPerDomain * ADDRESS_SPACES_PER_TAG_BLOCK;
    const first = (vcpu.domain.id + this.#hostTagDomains) * tags;
    for (const p of this.machine.pcpus) p.tlb.invalidateAsidRange(first, first + tags - 1, virtualPage);
  }
}
