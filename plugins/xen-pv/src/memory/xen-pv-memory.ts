import {
  CostCategory,
  GuestPhysicalMapToken,
  GuestRequestError,
  GuestTransitions,
  HypercallTable,
  Machine,
  MechanismIndex,
  Mechanisms,
  PTE_PRESENT,
  PTE_WRITABLE,
  PagedMemory,
  inject,
  injectable,
  optional,
  makePte,
  pteFlags,
  pteFrame,
  readTableEntry,
  tlbRefillCycles,
  writeTableEntry,
  type Domain,
  type DirtyLogging,
  type GuestPhysicalMap,
  type Gfn,
  type MemoryBalloon,
  type PostCopyPaging,
  type Vcpu,
  ADDRESS_SPACES_PER_TAG_BLOCK,
  addressSpaceTag,
  gfn as asGfn,
} from '@visorkit/core';
import { XEN_PV_FITTED } from '../calibration.js';
import { XenPvOptions } from '../xen-pv-options.js';
import { WritableMappings } from './writable-mappings.js';
import { XEN_PATH } from '../xen-pv-path-lengths.js';

const P = XEN_PATH.value;
const F = XEN_PV_FITTED.value;

/**
 * Hypercall numbers from Xen's public `xen.h`.
 *
 * @public
 */
export const HYPERCALL = { mmuUpdate: 1, memoryOp: 12, updateVaMapping: 14, mmuextOp: 26 } as const;

/** The memory hypercalls by the names the handlers are registered under. */
const HYPERCALL_NUMBER = {
  mmu_update: HYPERCALL.mmuUpdate,
  mmuext_op: HYPERCALL.mmuextOp,
  memory_op: HYPERCALL.memoryOp,
  update_va_mapping: HYPERCALL.updateVaMapping,
} as const;

interface PendingUpdate {
  table: number;
  index: number;
  entry: number;
}

interface DomainState {
  /**
   * Guest frames typed as page tables and their levels (1 = leaf): pinned, or referenced by
   * an entry of a table one level up (Xen's type count). A frame with no type is data: what
   * it holds counts for nothing and no walk reaches it until it is typed (see
   * {@link XenPvMemory} on Xen's page types).
   */
  readonly tables: Map<number, number>;
  /** Frames the guest pinned (MMUEXT_PIN_Lx_TABLE). */
  readonly pins: Set<number>;
  /** Type references each frame holds from present entries of typed upper-level tables. */
  readonly typeRefs: Map<number, number>;
  /** Writable mode: leaf tables currently unhooked, with the entries written since. */
  readonly unhooked: Map<number, number>;
  /** Tables holding a copy of the guest kernel's mappings, with the number of entries. */
  readonly kernelEntries: Map<number, number>;
  /** Per vCPU: inside lazy-MMU mode. */
  readonly lazy: Uint8Array;
  readonly queue: PendingUpdate[];
  /** The most frames the domain may hold (Dom0's max_mem); its reservation by default. */
  maxFrames: number;
  /**
   * The references the present entries of typed leaf tables hold (and devices' write grants):
   * a frame mapped writable may not become a page table, a frame mapped at all may not be
   * given back. Entries of untyped frames hold none.
   */
  readonly writable: WritableMappings;
}

/**
 * Xen's paravirtual memory (Xen paper §3.3.2): guest page tables are read-only to the guest;
 * every update is checked by Xen — the frame it maps must belong to the domain, and a frame
 * typed as a page table is never mapped writable — and applied through `mmu_update`
 * hypercalls, batched while the guest kernel is in lazy-MMU mode. With writable page tables
 * (Xen 2/3) the first write to a leaf table traps, Xen unhooks it and lets the guest write it
 * directly, and revalidates the changed entries when it is reconnected. Xen lives in the top
 * 64 MB of every address space, so hypercalls flush no TLB; loading a page-table base does.
 *
 * Page types, as Xen's `get_page_type`/`put_page_type` keep them (`xen/arch/x86/mm.c`): a
 * frame is either a page table of one level (`PGT_l1_page_table` … `PGT_l4_page_table`),
 * held by pins and by the entries of typed tables one level up, or it is not (Xen's
 * `PGT_writable_page` or `PGT_none`). Only a typed table's entries are validated and hold
 * references: each present leaf entry a reference on the frame it maps (a writable one also
 * the frame's writable type), each upper-level entry a type reference on the table below.
 * Typing a frame validates everything it holds then (`alloc_l1_table` and up: a bad entry
 * refuses the type) and takes those references; losing the type puts them back
 * (`free_l1_table`). What an untyped frame holds is data — `mmu_update` on a frame of no
 * page-table type is a plain write (Xen 3's `do_mmu_update` falls back to
 * `get_page_type(PGT_writable_page)`), as is a copy or a device's DMA into it — so nothing it
 * holds can keep a frame or let a walk reach one. Writes into a typed table go only through
 * validated updates: a plain store, a page copy and a device write grant (a disk read) need
 * `PGT_writable_page` and are refused for it. (The model still refuses an `mmu_update` to an
 * untyped frame that would be a bad leaf entry, stricter than Xen, and counts nothing for it.)
 * Xen's loaded base holds a type reference of its own (the vCPU's `guest_table`); this model
 * holds none, so a walk from a base that has lost its type faults instead.
 *
 * Translation, TLB refills, tags, shootdowns, zero and copy are core's {@link PagedMemory}
 * (machine-format tables, an untagged TLB); what is Xen's is here: the checks, types and
 * batches of updates, the hypercalls and traps they take, the kernel's refill after flushes.
 *
 * @public
 */
@injectable()
export class XenPvMemory extends PagedMemory implements DirtyLogging, PostCopyPaging, MemoryBalloon {
  readonly #domains: (DomainState | undefined)[] = [];
  readonly #cpi: number;
  readonly #batchHypercalls: number;
  /** Mechanism index of one validated page-table entry. */
  readonly #pteValidations: number;
  readonly #writableTraps: number;
  readonly #revalidations: number;
  readonly #emulatedWrites: number;
  readonly #logDirtyFaults: number;

  constructor(
    @inject(Machine) machine: Machine,
    @inject(XenPvOptions) readonly options: XenPvOptions,
    @inject(Mechanisms) mechanisms: Mechanisms,
    @inject(HypercallTable) hypercalls: HypercallTable,
    @inject(GuestTransitions) readonly transitions: GuestTransitions,
    @inject(GuestPhysicalMapToken) @optional() map?: GuestPhysicalMap,
  ) {
    super(machine, map, { frames: 'machine', tagged: false });
    // Xen's rules for a shared frame (a decorator's content-based sharing): guest tables hold
    // machine frames, so a shared frame must stand in none of them — see #shareRefusal, #own.
    this.map.guardShares((domain, gfn) => this.#shareRefusal(domain, gfn));
    this.#cpi = machine.profile.cpu.kernelCpi;
    this.#batchHypercalls = mechanisms.register('mmu-update-batch');
    this.#pteValidations = mechanisms.register('pte-validate');
    this.#writableTraps = mechanisms.register('writable-pt-trap');
    this.#revalidations = mechanisms.register('writable-pt-revalidate');
    this.#emulatedWrites = mechanisms.register('pt-write-emulated');
    this.#logDirtyFaults = mechanisms.register('log-dirty-fault');
    // The guest reaches these through the memory interface; the numbers are Xen's.
    hypercalls.register(HYPERCALL.mmuUpdate, 'mmu_update', () => 0);
    hypercalls.register(HYPERCALL.mmuextOp, 'mmuext_op', () => 0);
    hypercalls.register(HYPERCALL.memoryOp, 'memory_op', () => 0);
    hypercalls.register(HYPERCALL.updateVaMapping, 'update_va_mapping', () => 0);
  }

  override domainCreated(domain: Domain): void {
    super.domainCreated(domain);
    this.#domains[domain.id] = {
      tables: new Map(),
      pins: new Set(),
      typeRefs: new Map(),
      unhooked: new Map(),
      kernelEntries: new Map(),
      lazy: new Uint8Array(domain.vcpus.length),
      queue: [],
      maxFrames: domain.reservationFrames,
      writable: new WritableMappings(),
    };
  }

  override domainDestroyed(domain: Domain): void {
    super.domainDestroyed(domain);
    this.#domains[domain.id] = undefined;
  }

  /**
   * A frame becomes a page table: the guest kernel must first remap it read-only in its own
   * mapping (update_va_mapping, with its TLB entry invalidated) and Xen types it, scanning
   * every entry of the page; a top-level table is pinned with MMUEXT_PIN_Lx_TABLE. The kernel
   * half the guest copied in is validated then: each entry takes a type reference on the
   * kernel page table it points to (Xen's get_page_from_l2e, a locked update of the frame's
   * type count) — why a fork or exec costs so much more under Xen than natively.
   */
  override pinPageTable(vcpu: Vcpu, frame: Gfn, level: number, kernelEntries = 0): void {
    const st = this.#state(vcpu.domain);
    this.#drain(vcpu);
    if (!Number.isInteger(level) || level < 1 || level > this.geometry.levels) {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new GuestRequestError(vcpu.domain.name, 'MMUEXT_PIN_TABLE', `level ${level} is not a page-table level (1..${this.geometry.levels})`);
    }
    this.#mfn(vcpu, frame);
    if (st.writable.isMappedWritable(frame)) {
      // get_page_type(PGT_lN_page_table) fails while the frame's writable type count is held.
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new GuestRequestError(vcpu.domain.name, 'MMUEXT_PIN_TABLE', `guest frame ${frame} is mapped writable and cannot become a page table`);
    }
    const typed = st.tables.get(frame);
    if (typed !== undefined && typed !== level) {
      // A frame has one type at a time: an L2 table cannot be pinned again as an L1.
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new GuestRequestError(vcpu.domain.name, 'MMUEXT_PIN_TABLE', `guest frame ${frame} is already a level-${typed} page table`);
    }
    if (typed === undefined) this.#type(vcpu, st, frame, level);
    st.pins.add(frame);
    this.#hypercall(vcpu, 'update_va_mapping', P.updateVaMapping * this.#cpi + this.costs.tlbInvalidatePage + this.#entriesPerTable(level) * P.entryScanCycles);
    if (kernelEntries > 0) {
      st.kernelEntries.set(frame, kernelEntries);
      vcpu.charge(CostCategory.Hypervisor, kernelEntries * (this.#validateCycles() + F.typeReference * this.#cpi));
      vcpu.count(this.#pteValidations, kernelEntries);
    }
    if (level === this.geometry.levels) this.#hypercall(vcpu, 'mmuext_op', P.mmuUpdateBase * this.#cpi);
  }

  /**
   * The frame stops being pinned: Xen untypes it (a scan) unless an upper-level entry still
   * references it, and the kernel maps it writable again. An upper-level table untyped drops
   * the type references its entries held (put_page_from_l2e).
   */
  override unpinPageTable(vcpu: Vcpu, frame: Gfn): void {
    const st = this.#state(vcpu.domain);
    this.#drain(vcpu);
    const level = st.tables.get(frame);
    if (level === undefined || !st.pins.delete(frame)) return;
    if (!st.typeRefs.has(frame)) this.#untype(vcpu, st, frame);
    if (level === this.geometry.levels) this.#hypercall(vcpu, 'mmuext_op', P.mmuUpdateBase * this.#cpi);
    // Unpinning drops the references the kernel half took (put_page_type per entry).
    const kernelEntries = st.kernelEntries.get(frame);
    if (kernelEntries !== undefined) {
      st.kernelEntries.delete(frame);
      vcpu.charge(CostCategory.Hypervisor, kernelEntries * (this.#validateCycles() + F.typeReference * this.#cpi));
    }
    this.#hypercall(vcpu, 'update_va_mapping', P.updateVaMapping * this.#cpi + this.costs.tlbInvalidatePage + this.#entriesPerTable(level) * P.entryScanCycles);
  }

  /**
   * Xen's work to install one entry: a present one is validated (get_page_from_l1e); clearing
   * one only drops the old mapping's reference (put_page_from_l1e, one locked decrement).
   */
  #entryCost(entry: number): number {
    return this.costs.pteWrite + ((entry & PTE_PRESENT) !== 0 ? this.#validateCycles() : P.putReference * this.#cpi);
  }

  /**
   * Validating one present entry (get_page_from_l1e): Xen's path, the same instructions on
   * every profile, at the profile's CPI. A read of the fitted value on every call, so that a
   * fitter's probe is seen by hypervisors already composed.
   */
  #validateCycles(): number {
    return F.validateEntry * this.#cpi;
  }

  #entriesPerTable(level: number): number {
    return this.geometry.entriesPerTable[level] ?? 512;
  }

  override writePte(vcpu: Vcpu, table: Gfn, index: number, entry: number): void {
    const st = this.#state(vcpu.domain);
    const level = st.tables.get(table) ?? 1;
    this.#check(vcpu, st, table, index, entry, level);
    if (this.options.pageTableMode === 'writable' && level === 1) {
      // The guest writes the (read-only) leaf table; the first write traps and unhooks it.
      const written = st.unhooked.get(table);
      if (written === undefined) {
        this.transitions.trap(vcpu, 'writable-pt', P.writableTrapHandler * this.#cpi + this.costs.tlbInvalidatePage);
        vcpu.count(this.#writableTraps);
        st.unhooked.set(table, 1);
      } else st.unhooked.set(table, written + 1);
      this.#store(vcpu, table, index, entry);
      vcpu.charge(CostCategory.GuestKernel, this.costs.pteWrite);
      vcpu.count(MechanismIndex.PteWrite);
      return;
    }
    // Xen 1.x: XenoLinux queues every update (queue_l1_entry_update), not only those of a
    // lazy-MMU section; the queue goes to Xen as one mmu_update when it fills, or before
    // anything needs the tables current (see #drain).
    if (st.lazy[vcpu.index] === 1 || this.options.pageTableMode === 'batched') {
      st.queue.push({ table, index, entry });
      if (st.queue.length >= this.options.batchSize) this.#flushQueue(vcpu, st);
      return;
    }
    if (this.options.pageTableMode === 'emulated') {
      // A plain store to a read-only page-table page: Xen takes the fault, decodes and
      // emulates the instruction, validates the new entry and writes it (ptwr emulation).
      this.transitions.trap(vcpu, 'ptwr-emulate', P.ptwrEmulate * this.#cpi + this.#entryCost(entry));
      vcpu.count(this.#emulatedWrites);
      vcpu.count(this.#pteValidations);
      vcpu.count(MechanismIndex.PteWrite);
      this.#store(vcpu, table, index, entry);
      return;
    }
    st.queue.push({ table, index, entry });
    this.#flushQueue(vcpu, st);
  }

  override readPte(vcpu: Vcpu, table: Gfn, index: number): number {
    this.#drain(vcpu);
    return super.readPte(vcpu, table, index);
  }

  override beginBatch(vcpu: Vcpu): void {
    this.#state(vcpu.domain).lazy[vcpu.index] = 1;
  }

  override flushBatch(vcpu: Vcpu): void {
    const st = this.#state(vcpu.domain);
    st.lazy[vcpu.index] = 0;
    if (st.queue.length > 0) this.#flushQueue(vcpu, st);
    this.#reconnectAll(vcpu, st);
  }

  override activate(vcpu: Vcpu, root: Gfn, addressSpace: number): void {
    const st = this.#state(vcpu.domain);
    if (st.tables.get(root) !== this.geometry.levels) {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new GuestRequestError(vcpu.domain.name, 'MMUEXT_NEW_BASEPTR', `guest frame ${root} is not a pinned top-level page table`);
    }
    this.#drain(vcpu);
    this.#reconnectAll(vcpu, st);
    this.#hypercall(vcpu, 'mmuext_op', P.mmuextBase * this.#cpi);
    vcpu.charge(CostCategory.Hypervisor, this.costs.pageTableBaseSwitch);
    this.loadRoot(vcpu, root, addressSpace);
    this.#refillKernelTlb(vcpu);
  }

  /**
   * The guest kernel's own translations die with every flush: Xen keeps global pages for its
   * own mappings, so a paravirtual kernel's are not global as a native kernel's are, and its
   * hot pages (entry code, scheduler, stacks, pipe buffers) are walked in again.
   */
  #refillKernelTlb(vcpu: Vcpu): void {
    const hot = P.kernelHotPages;
    const references = hot * this.geometry.levels;
    vcpu.charge(CostCategory.GuestKernel, hot * tlbRefillCycles(this.machine.profile, this.geometry.levels));
    vcpu.count(MechanismIndex.TlbMiss, hot);
    vcpu.count(MechanismIndex.PageWalkReference, references);
  }

  /** Queued updates reach Xen before the hardware walks the tables (see #drain). */
  override translate(vcpu: Vcpu, virtualPage: number, write: boolean): Gfn {
    this.#drain(vcpu);
    return super.translate(vcpu, virtualPage, write);
  }

  /**
   * An unhooked table cannot be walked: the access faults into Xen, which reconnects it first.
   * No type reference holds the loaded base here (Xen's guest_table does): once unpinned and
   * untyped, what it holds is data and no walk may use it.
   */
  protected override refill(vcpu: Vcpu, virtualPage: number): number {
    const st = this.#state(vcpu.domain);
    if (st.unhooked.size > 0) this.#reconnectAll(vcpu, st);
    const leaf = super.refill(vcpu, virtualPage);
    return leaf >= 0 && st.tables.get(this.root(vcpu)) !== this.geometry.levels ? -1 : leaf;
  }

  override invalidatePage(vcpu: Vcpu, virtualPage: number): void {
    this.#drain(vcpu);
    // INVLPG is privileged: an mmuext_op, piggy-backed on the multicall in lazy-MMU mode.
    this.shootDown(vcpu, virtualPage);
    if (this.#state(vcpu.domain).lazy[vcpu.index] === 1) vcpu.charge(CostCategory.Hypervisor, this.costs.tlbInvalidatePage);
    else this.#hypercall(vcpu, 'mmuext_op', this.costs.tlbInvalidatePage);
  }

  override flushTlb(vcpu: Vcpu): void {
    this.#drain(vcpu);
    this.tlb(vcpu).flushAll();
    this.#hypercall(vcpu, 'mmuext_op', this.costs.pageTableBaseSwitch);
    vcpu.count(MechanismIndex.TlbFlush);
    this.#refillKernelTlb(vcpu);
  }

  /** Drops the pCPU TLB on a world switch (untagged hardware), uncharged: the caller charged it; the kernel's hot pages are walked in again. */
  override worldSwitch(vcpu: Vcpu): void {
    super.worldSwitch(vcpu);
    this.#refillKernelTlb(vcpu);
  }

  override zeroFrame(vcpu: Vcpu, frame: Gfn): void {
    this.#drain(vcpu);
    const st = this.#state(vcpu.domain);
    // A table zeroed puts back the references its entries held; it keeps its type.
    const level = st.tables.get(frame);
    if (level === 1) this.#forgetWritableEntries(vcpu, frame);
    else if (level !== undefined) this.#unreferenceEntries(vcpu, st, frame);
    super.zeroFrame(vcpu, frame);
  }

  override copyFrame(vcpu: Vcpu, to: Gfn, from: Gfn): void {
    this.#drain(vcpu);
    this.#mfn(vcpu, from);
    const st = this.#state(vcpu.domain);
    if (to !== from && st.tables.has(to)) {
      // A page table is read-only to its guest: only validated updates change it.
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new GuestRequestError(vcpu.domain.name, 'page copy', `guest frame ${to} is a page table and cannot be written`);
    }
    // The copy lands in a frame of no page-table type (or onto itself): data, which holds no
    // references until the frame is typed and its contents validated.
    super.copyFrame(vcpu, to, from);
  }

  /**
   * A store by the guest kernel through its own mapping of the frame. A page table is
   * read-only to the guest (Xen's type system keeps it so): a plain store into one is refused.
   */
  override writeFrame(vcpu: Vcpu, frame: Gfn): void {
    this.#mfn(vcpu, frame);
    if (this.#state(vcpu.domain).tables.has(frame)) {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new GuestRequestError(vcpu.domain.name, 'memory access', `guest frame ${frame} is a page table, read-only to the guest`);
    }
    super.writeFrame(vcpu, frame);
  }

  /**
   * A guest write while log-dirty mode is on: the first write to a frame in a round hits a
   * shadow entry made read-only for tracking and faults into Xen, which logs the frame
   * (Clark et al. §5.1: shadow page tables in log-dirty mode).
   */
  protected override logDirtyFault(vcpu: Vcpu): void {
    this.transitions.trap(vcpu, 'log-dirty', P.logDirtyFaultHandler * this.#cpi);
    vcpu.count(this.#logDirtyFaults);
  }

  /** Xen's checks on one update; a bad one is refused, counted, and nothing is applied. */
  #check(vcpu: Vcpu, st: DomainState, table: number, index: number, entry: number, level: number): void {
    if (!st.tables.has(table) && !this.map.inRange(vcpu.domain, table)) {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new GuestRequestError(vcpu.domain.name, 'mmu_update', `guest frame ${table} is not one of its page tables`);
    }
    if (!Number.isInteger(index) || index < 0 || index >= this.#entriesPerTable(1)) {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new GuestRequestError(vcpu.domain.name, 'mmu_update', `index ${index} is not an entry of a page table`);
    }
    if ((entry & PTE_PRESENT) === 0) return;
    const target = pteFrame(entry);
    if (!this.map.inRange(vcpu.domain, target)) {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new GuestRequestError(vcpu.domain.name, 'mmu_update', `entry maps frame ${target}, which the domain does not own`);
    }
    if (level === 1 && (entry & PTE_WRITABLE) !== 0 && st.tables.has(target)) {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new GuestRequestError(vcpu.domain.name, 'mmu_update', `frame ${target} is a page table and may not be mapped writable`);
    }
    if (level > 1) {
      const refused = this.#referenceRefusal(vcpu, st, target, level - 1);
      if (refused !== undefined) {
        vcpu.count(MechanismIndex.PrivilegeViolation);
        throw new GuestRequestError(vcpu.domain.name, 'mmu_update', `a level-${level} entry may not reference guest frame ${target}: ${refused}`);
      }
    }
  }

  /**
   * Why `frame` cannot take a type reference as a level-`level` table (Xen's get_page_from_l2e
   * and up: get_page_and_type), or undefined when it can. A frame not the domain's cannot; one
   * already typed at another level cannot; an untyped one can become a leaf table if nothing
   * maps it writable and its contents validate as leaf entries; an untyped upper-level table
   * must be pinned first.
   */
  #referenceRefusal(vcpu: Vcpu, st: DomainState, frame: number, level: number): string | undefined {
    if (frame < 0) return 'it is not a frame of the domain';
    const typed = st.tables.get(frame);
    if (typed !== undefined) return typed === level ? undefined : `it is a level-${typed} page table, not level ${level}`;
    if (level !== 1) return `it is not a level-${level} page table (pin it first)`;
    if (st.writable.isMappedWritable(frame)) return 'it is mapped writable';
    const bad = this.#leafViolation(vcpu, st, frame);
    if (bad !== undefined) return bad;
    return undefined;
  }

  /** Takes a type reference on `frame` as a level-`level` table, typing it if it had no type; refused as {@link #referenceRefusal} says. */
  #reference(vcpu: Vcpu, st: DomainState, frame: number, level: number): void {
    const refused = this.#referenceRefusal(vcpu, st, frame, level);
    if (refused !== undefined) {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new GuestRequestError(vcpu.domain.name, 'mmu_update', `guest frame ${frame} cannot become a level-${level} page table: ${refused}`);
    }
    if (!st.tables.has(frame)) this.#type(vcpu, st, frame, level);
    st.typeRefs.set(frame, (st.typeRefs.get(frame) ?? 0) + 1);
  }

  /** Drops a type reference; the frame loses its type when no pin or reference holds it. */
  #unreference(vcpu: Vcpu, st: DomainState, frame: number): void {
    const n = (st.typeRefs.get(frame) ?? 0) - 1;
    if (n > 0) st.typeRefs.set(frame, n);
    else {
      st.typeRefs.delete(frame);
      if (!st.pins.has(frame)) this.#untype(vcpu, st, frame);
    }
  }

  /**
   * Types an untyped frame as a level-`level` table, validating what it holds: as leaf entries,
   * each then taking its reference (alloc_l1_table), or, above level 1, each present entry
   * taking a type reference on its target (alloc_l2_table). Refused whole: references taken
   * are put back.
   */
  #type(vcpu: Vcpu, st: DomainState, frame: number, level: number): void {
    this.#own(vcpu, frame);
    if (level === 1) {
      this.#validateAsLeaf(vcpu, st, frame);
      st.tables.set(frame, 1);
      return;
    }
    // Typed first, so an entry referencing the frame itself is refused (a type mismatch).
    st.tables.set(frame, level);
    const mfn = this.#mfn(vcpu, frame);
    if (!this.machine.memory.isPopulated(mfn)) return;
    const n = this.#entriesPerTable(level);
    let i = 0;
    try {
      for (; i < n; i++) {
        const e = readTableEntry(this.machine.memory, this.geometry, mfn, i);
        if ((e & PTE_PRESENT) !== 0) this.#reference(vcpu, st, this.#ownFrame(vcpu.domain, pteFrame(e)), level - 1);
      }
    } catch (e) {
      for (let j = 0; j < i; j++) {
        const entry = readTableEntry(this.machine.memory, this.geometry, mfn, j);
        if ((entry & PTE_PRESENT) !== 0) this.#unreference(vcpu, st, this.map.reverse(pteFrame(entry)));
      }
      st.tables.delete(frame);
      throw e;
    }
  }

  /**
   * The frame loses its type and its entries put back the references they held (free_l1_table,
   * free_l2_table): what it holds is data from now on.
   */
  #untype(vcpu: Vcpu, st: DomainState, frame: number): void {
    const level = st.tables.get(frame);
    if (level === undefined) return;
    st.tables.delete(frame);
    st.unhooked.delete(frame);
    if (level > 1) this.#unreferenceEntries(vcpu, st, frame);
    else this.#forgetWritableEntries(vcpu, frame);
  }

  /** Puts back the type reference of every present entry of upper-level table `frame`. */
  #unreferenceEntries(vcpu: Vcpu, st: DomainState, frame: number): void {
    const mfn = this.#mfn(vcpu, frame);
    if (!this.machine.memory.isPopulated(mfn)) return;
    const n = this.#entriesPerTable(2);
    for (let i = 0; i < n; i++) {
      const e = readTableEntry(this.machine.memory, this.geometry, mfn, i);
      if ((e & PTE_PRESENT) !== 0) this.#unreference(vcpu, st, this.map.reverse(pteFrame(e)));
    }
  }

  /** One mmu_update hypercall for the queued batch: validate every entry, then apply them all. */
  #flushQueue(vcpu: Vcpu, st: DomainState): void {
    const batch = st.queue.splice(0);
    // Xen validates a batch when the hypercall runs, not when the guest queued it: a frame
    // pinned as a page table since must not be mapped writable now. A bad entry drops the batch.
    for (const u of batch) this.#check(vcpu, st, u.table, u.index, u.entry, st.tables.get(u.table) ?? 1);
    let work = P.mmuUpdateBase * this.#cpi;
    for (const u of batch) work += this.#entryCost(u.entry);
    this.#hypercall(vcpu, 'mmu_update', work);
    vcpu.count(this.#batchHypercalls);
    vcpu.count(this.#pteValidations, batch.length);
    vcpu.count(MechanismIndex.PteWrite, batch.length);
    // Applied in order, each checked again against what the entries before it did (an entry
    // typing a frame as a table, then one mapping it writable): Xen stops at the first bad one.
    for (const u of batch) {
      this.#check(vcpu, st, u.table, u.index, u.entry, st.tables.get(u.table) ?? 1);
      this.#store(vcpu, u.table, u.index, u.entry);
    }
  }

  /**
   * Xen 1.x: updates a guest queued outside a lazy-MMU section go to Xen before anything that
   * needs the tables as the guest wrote them — a hardware walk, a read of an entry, a new base,
   * a TLB flush or invlpg, a pin or unpin, a frame zeroed, copied or given back — as
   * XenoLinux 1.x flushes its queue before such operations (XENO_flush_page_update_queue).
   * Outside Xen 1.x's mode the queue is only ever non-empty inside a lazy-MMU section, which
   * keeps its own contract, so this does nothing there.
   */
  #drain(vcpu: Vcpu): void {
    const st = this.#domains[vcpu.domain.id];
    if (st !== undefined && st.queue.length > 0 && st.lazy[vcpu.index] === 0) this.#flushQueue(vcpu, st);
  }

  /**
   * Reconnects every unhooked leaf table: Xen compares each page against the snapshot it
   * took (a scan of every entry) and validates the entries written meanwhile.
   */
  #reconnectAll(vcpu: Vcpu, st: DomainState): void {
    if (st.unhooked.size === 0) return;
    let entries = 0;
    for (const written of st.unhooked.values()) entries += written;
    const scanned = st.unhooked.size * this.#entriesPerTable(1);
    this.transitions.trap(vcpu, 'writable-pt-reconnect', entries * this.#validateCycles() + scanned * P.entryScanCycles);
    vcpu.count(this.#revalidations, st.unhooked.size);
    vcpu.count(this.#pteValidations, entries);
    st.unhooked.clear();
  }

  /** Stores an entry, the guest's frame number turned into the machine frame (pfn_to_mfn). */
  #store(vcpu: Vcpu, table: number, index: number, entry: number): void {
    // Xen takes a reference (or a type) only on a frame the domain owns: a shared one is copied for it first.
    this.#own(vcpu, table);
    if ((entry & PTE_PRESENT) !== 0) this.#own(vcpu, pteFrame(entry));
    const stored = (entry & PTE_PRESENT) === 0 ? 0 : makePte(this.#mfn(vcpu, pteFrame(entry)), pteFlags(entry));
    const tableMfn = this.#mfn(vcpu, table);
    const st = this.#state(vcpu.domain);
    const level = st.tables.get(table);
    const before = readTableEntry(this.machine.memory, this.geometry, tableMfn, index);
    if (level === 1) this.#replaceReference(st, table, before, stored);
    else if (level !== undefined) {
      // get_page_from_l2e for the new entry before put_page_from_l2e for the old.
      if (stored !== 0) this.#reference(vcpu, st, this.map.reverse(pteFrame(stored)), level - 1);
      if ((before & PTE_PRESENT) !== 0) this.#unreference(vcpu, st, this.map.reverse(pteFrame(before)));
    }
    // An untyped frame is written as data (PGT_writable_page): its entries hold nothing.
    writeTableEntry(this.machine.memory, this.geometry, tableMfn, index, stored);
    this.map.markDirty(vcpu.domain, table);
  }

  /**
   * An untyped frame becomes a leaf table: Xen validates what it holds as L1 entries
   * (alloc_l1_table, get_page_from_l1e for each) — each must map a frame of the domain, none a
   * page table writable — and they take their references. Refused whole if one fails. A frame
   * never written since it was zeroed holds nothing to scan.
   */
  #validateAsLeaf(vcpu: Vcpu, st: DomainState, frame: number): void {
    const bad = this.#leafViolation(vcpu, st, frame);
    if (bad !== undefined) {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new GuestRequestError(vcpu.domain.name, 'MMUEXT_PIN_L1_TABLE', `guest frame ${frame} does not validate as a leaf table: ${bad}`);
    }
    const mfn = this.#mfn(vcpu, frame);
    if (!this.machine.memory.isPopulated(mfn)) return;
    const n = this.#entriesPerTable(1);
    for (let i = 0; i < n; i++) this.#replaceReference(st, frame, 0, readTableEntry(this.machine.memory, this.geometry, mfn, i));
  }

  /**
   * Why `frame`'s contents are not valid leaf entries — the first that maps a frame not the
   * domain's, or a page table (or the frame itself, about to become one) writable — or
   * undefined when they are.
   */
  #leafViolation(vcpu: Vcpu, st: DomainState, frame: number): string | undefined {
    const mfn = this.#mfn(vcpu, frame);
    if (!this.machine.memory.isPopulated(mfn)) return undefined;
    const n = this.#entriesPerTable(1);
    for (let i = 0; i < n; i++) {
      const e = readTableEntry(this.machine.memory, this.geometry, mfn, i);
      if ((e & PTE_PRESENT) === 0) continue;
      const target = this.#ownFrame(vcpu.domain, pteFrame(e));
      if (target < 0) return `its entry ${i} maps machine frame ${pteFrame(e)}, not the domain's`;
      if ((e & PTE_WRITABLE) !== 0 && (target === frame || st.tables.has(target))) return `its entry ${i} maps a page table writable`;
    }
    return undefined;
  }

  /** The domain's guest frame backed by machine frame `mfn`, or -1 when none is (another's, the hypervisor's, or free). */
  #ownFrame(domain: Domain, mfn: number): number {
    const g = this.map.reverse(mfn);
    return g >= 0 && this.map.inRange(domain, g) && this.map.lookup(domain, g) === mfn ? g : -1;
  }

  /** A leaf entry of `table` changes from `before` to `after` (stored, machine format): move the frames' references. */
  #replaceReference(st: DomainState, table: number, before: number, after: number): void {
    const target = (e: number): number => ((e & PTE_PRESENT) !== 0 ? this.map.reverse(pteFrame(e)) : -1);
    st.writable.replace(table, target(before), (before & PTE_WRITABLE) !== 0, target(after), (after & PTE_WRITABLE) !== 0);
  }

  /** A leaf table's entries stop counting (it is zeroed or loses its type): drop the references they held. */
  #forgetWritableEntries(vcpu: Vcpu, frame: number): void {
    const st = this.#state(vcpu.domain);
    if (!st.writable.holdsEntries(frame)) return;
    const mfn = this.#mfn(vcpu, frame);
    const n = this.#entriesPerTable(1);
    for (let i = 0; i < n; i++) this.#replaceReference(st, frame, readTableEntry(this.machine.memory, this.geometry, mfn, i), 0);
  }

  /**
   * XENMEM_decrease_reservation: the balloon driver gives frames back. Each must be the
   * domain's, not already given back, and not a page table (a typed frame is in use); the
   * whole request is checked before any frame goes, so a bad one changes nothing.
   */
  releaseFrames(vcpu: Vcpu, frames: readonly Gfn[]): void {
    const st = this.#state(vcpu.domain);
    this.#drain(vcpu);
    for (const g of frames) {
      if (
        !this.map.inRange(vcpu.domain, g) ||
        this.map.isBallooned(vcpu.domain, g) ||
        st.tables.has(g) ||
        st.writable.isMapped(g) ||
        st.writable.holdsEntries(g)
      ) {
        vcpu.count(MechanismIndex.PrivilegeViolation);
        throw new GuestRequestError(
          vcpu.domain.name,
          'memory_op (decrease_reservation)',
          `guest frame ${g} is not a frame it may give back (outside its memory, already given back, a page table, still mapped, or holding mappings)`,
        );
      }
    }
    this.#hypercall(vcpu, 'memory_op', P.balloonBase * this.#cpi + frames.length * P.balloonPerFrame * this.#cpi);
    this.#forgetCachedTranslations(vcpu.domain, frames);
    for (const g of frames) this.map.giveBack(vcpu.domain, g);
  }

  /**
   * No TLB may keep reaching a frame the domain gives back. No typed table maps it (that
   * reference would have refused the request), but a translation cached from a table that
   * has since lost its type may: Xen flushes such TLBs before the frame is used again (the
   * tlbflush_timestamp filter in its page allocator). Only entries reaching the frames go, so
   * a guest that unmapped them first sees no difference.
   */
  #forgetCachedTranslations(domain: Domain, frames: readonly Gfn[]): void {
    const mfns = new Set<number>();
    for (const g of frames) {
      const mfn = this.map.lookup(domain, g);
      if (mfn >= 0) mfns.add(mfn);
    }
    if (mfns.size === 0) return;
    const low = addressSpaceTag(domain.id, 0);
    const high = low + ADDRESS_SPACES_PER_TAG_BLOCK - 1;
    const stale: number[] = [];
    for (const p of this.machine.pcpus) {
      p.tlb.forEachEntry((_slot, tag, page, value) => {
        if (tag >= low && tag <= high && mfns.has(pteFrame(value))) stale.push(tag, page);
      });
      for (let i = 0; i < stale.length; i += 2) p.tlb.invalidate(stale[i]!, stale[i + 1]!);
      stale.length = 0;
    }
  }

  /**
   * XENMEM_populate_physmap: the balloon driver takes frames back, up to the maximum Dom0 set
   * (`setMaxFrames`); beyond it the request is refused whole.
   */
  reclaimFrames(vcpu: Vcpu, frames: readonly Gfn[]): void {
    const st = this.#state(vcpu.domain);
    this.#drain(vcpu);
    for (const g of frames) {
      if (!this.map.isBallooned(vcpu.domain, g)) {
        vcpu.count(MechanismIndex.PrivilegeViolation);
        throw new GuestRequestError(vcpu.domain.name, 'memory_op (populate_physmap)', `guest frame ${g} was not given back`);
      }
    }
    const held = this.map.held(vcpu.domain);
    if (held + frames.length > st.maxFrames) {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new GuestRequestError(
        vcpu.domain.name,
        'memory_op (populate_physmap)',
        `holding ${held} frames, ${frames.length} more would pass its maximum of ${st.maxFrames}`,
      );
    }
    this.#hypercall(vcpu, 'memory_op', P.balloonBase * this.#cpi + frames.length * P.balloonPerFrame * this.#cpi);
    for (const g of frames) this.map.takeBack(vcpu.domain, g);
  }

  /**
   * A device is granted write access to `frames` (a disk read into them, Xen's grant map
   * with write access, which takes `PGT_writable_page`): refused, returning false, if one is
   * typed as a page table. Otherwise each holds a writable reference until
   * {@link XenPvMemory.endDeviceWrite}, so it cannot become a page table meanwhile. What the
   * device writes is data: an untyped frame's contents hold no references, and are validated
   * whole if the frame is ever typed.
   */
  beginDeviceWrite(domain: Domain, frames: readonly number[]): boolean {
    const st = this.#state(domain);
    if (frames.some((g) => st.tables.has(g))) return false;
    for (const g of frames) st.writable.grantDeviceWrite(g);
    return true;
  }

  /** The device's write is done (or failed): the grants of {@link XenPvMemory.beginDeviceWrite} are dropped. */
  endDeviceWrite(domain: Domain, frames: readonly number[]): void {
    const st = this.#domains[domain.id];
    if (st === undefined) return; // the domain died with the I/O in flight
    for (const g of frames) st.writable.endDeviceWrite(g);
  }

  /** Frames `domain` holds now (its reservation less what its balloon gave back). */
  heldFrames(domain: Domain): number {
    return this.map.held(domain);
  }

  /** Dom0's `max_mem`: the most frames the domain may hold (at most its reservation). */
  setMaxFrames(domain: Domain, frames: number): void {
    this.#state(domain).maxFrames = Math.min(frames, this.map.frames(domain));
  }

  /**
   * Why guest frame `gfn` may not be backed by a frame shared with other guest frames (Xen's
   * `page_make_sharable`: a frame is nominated only while it holds no type and no reference
   * beyond its allocation), or undefined when it may. Guest tables hold machine frames, and
   * nothing re-points them when a share is made or broken, so a shared frame is in no table:
   * not a page table, not mapped by one (read-only or not), and not granted to a device. A
   * mapping or typing of a shared frame copies it first ({@link #own}).
   */
  #shareRefusal(domain: Domain, gfn: number): string | undefined {
    const st = this.#domains[domain.id];
    if (st === undefined) return 'the domain has no memory';
    if (st.tables.has(gfn)) return 'it is a page table';
    if (st.writable.isMapped(gfn)) return 'a page-table entry maps it (or a device holds a grant of it)';
    // Entries an untyped frame holds are data until it is typed, and typing copies it first.
    return undefined;
  }

  /**
   * A frame about to be referenced by a guest table, or typed as one, must be the domain's
   * own: a shared frame (owned by none) is copied for it first — the share broken inside the
   * hypercall, a page copy charged to the caller — so that no table ever holds a shared frame.
   */
  #own(vcpu: Vcpu, gfn: number): void {
    if (!this.map.isShared(vcpu.domain, gfn)) return;
    this.map.unshare(vcpu.domain, asGfn(gfn));
    vcpu.charge(CostCategory.Hypervisor, this.costs.pageCopy);
    vcpu.count(MechanismIndex.PageCopy);
  }

  /** A memory hypercall through core's transition path: charged, counted, traced like any other. */
  #hypercall(vcpu: Vcpu, name: keyof typeof HYPERCALL_NUMBER, handlerCycles: number): void {
    this.transitions.hypercall(vcpu, HYPERCALL_NUMBER[name], handlerCycles);
  }

  #mfn(vcpu: Vcpu, gfn: number): number {
    return this.populate(vcpu, gfn);
  }

  #state(domain: Domain): DomainState {
    const st = this.#domains[domain.id];
    if (st === undefined) throw new GuestRequestError(domain.name, 'memory access', 'the domain has no memory');
    return st;
  }
}
