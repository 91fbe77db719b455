import {
  CostCategory,
  GuestPhysicalMap,
  type GuestTransitions,
  GuestRequestError,
  InvalidArgumentError,
  MechanismIndex,
  NO_MACHINE_FRAME,
  PTE_PRESENT,
  pteFrame,
  type Domain,
  type DirtyLogging,
  type FrameAccess,
  type Gfn,
  type Mfn,
  type PostCopyPaging,
  type Machine,
  type Mechanisms,
  type MemoryVirtualization,
  type PagingGeometry,
  type Tlb,
  type Vcpu,
  ADDRESS_SPACES_PER_TAG_BLOCK,
  addressSpaceTag,
} from '@visorkit/core';
import { HW_ASSIST_PATH } from '../hw-assist-path-lengths.js';

/** VPIDs a domain's vCPUs use (one each; vCPUs beyond share them round-robin). */
const VPIDS_PER_DOMAIN = 16;
/** TLB tags per domain: a VPID per vCPU times 4096 address-space ids. */
const TAGS_PER_DOMAIN = VPIDS_PER_DOMAIN * ADDRESS_SPACES_PER_TAG_BLOCK;

/**
 * What nested and shadow paging share: guest-physical memory populated on demand, tagged TLB
 * ids (VPIDs) per domain, page zero/copy, and the per-vCPU active root.
 *
 * @public
 */
export abstract class HvmMemory implements MemoryVirtualization, DirtyLogging, PostCopyPaging {
  readonly geometry: PagingGeometry;
  protected readonly map: GuestPhysicalMap;
  /** Active guest root (gfn) per domain and vCPU, -1 when none. */
  protected readonly roots: (Int32Array | undefined)[] = [];
  protected readonly costs;
  protected readonly tagged: boolean;
  protected readonly logDirtyFault: number;
  /** Core's transition path, which every VM exit of the memory model takes (the subclass injects it). */
  protected abstract readonly transitions: GuestTransitions;

  constructor(
    readonly machine: Machine,
    largeChunks: boolean,
    mechanisms: Mechanisms,
    /** The machine's map as the module binds it (a decorator reaches it); a bare instance makes its own. */
    map?: GuestPhysicalMap,
  ) {
    if (!machine.profile.cpu.hardwareVirtualization) {
      throw new InvalidArgumentError('machine profile', `'${machine.profile.name}' has no hardware virtualisation (VT-x/AMD-V): hw-assist cannot run on it`);
    }
    this.geometry = machine.geometry;
    this.map = map ?? new GuestPhysicalMap(machine.memory, largeChunks);
    this.costs = machine.profile.costs;
    this.tagged = machine.profile.cpu.taggedTlb;
    this.logDirtyFault = mechanisms.register('log-dirty-fault');
  }

  domainCreated(domain: Domain): void {
    this.map.add(domain);
    this.roots[domain.id] = new Int32Array(domain.vcpus.length).fill(-1);
    for (const v of domain.vcpus) v.asid = this.asid(v, 0);
  }

  domainDestroyed(domain: Domain): void {
    this.map.remove(domain);
    this.roots[domain.id] = undefined;
  }

  frames(domain: Domain): number {
    return this.map.frames(domain);
  }

  machineFrame(domain: Domain, frame: Gfn, access: FrameAccess): Mfn {
    const mfn = this.map.lookup(domain, frame);
    // A device or a restore writing the frame dirties it like the guest's own store would
    // (no log-dirty fault: no vCPU took one).
    if (access === 'write' && mfn >= 0) this.map.markDirty(domain, frame);
    return mfn;
  }

  abstract pinPageTable(vcpu: Vcpu, frame: Gfn, level: number): void;
  abstract unpinPageTable(vcpu: Vcpu, frame: Gfn): void;
  abstract writePte(vcpu: Vcpu, table: Gfn, index: number, entry: number): void;
  abstract readPte(vcpu: Vcpu, table: Gfn, index: number): number;
  abstract translate(vcpu: Vcpu, virtualPage: number, write: boolean): Gfn;
  abstract activate(vcpu: Vcpu, root: Gfn, addressSpace: number): void;

  startDirtyLog(domain: Domain): void {
    this.map.startDirtyLog(domain);
  }

  collectDirty(domain: Domain): Gfn[] {
    return this.map.collectDirty(domain);
  }

  peekDirty(domain: Domain, gfn: number): boolean {
    return this.map.isDirty(domain, gfn);
  }

  stopDirtyLog(domain: Domain): void {
    this.map.stopDirtyLog(domain);
  }

  populatedFrames(domain: Domain): Gfn[] {
    return this.map.populated(domain);
  }

  expectRemotePages(domain: Domain, gfns: readonly Gfn[], fetch: (vcpu: Vcpu, gfn: Gfn) => void): void {
    this.map.expectRemote(domain, gfns, fetch);
  }

  pageArrived(domain: Domain, gfn: number): boolean {
    return this.map.arrived(domain, gfn);
  }

  /**
   * Records a write to `gfn` while dirty logging is on. The first write of a round hits a
   * write-protected page: a VM exit (through core's transition path) whose handler logs the
   * page and unprotects it.
   */
  protected noteWrite(vcpu: Vcpu, gfn: number): void {
    if (this.map.markDirty(vcpu.domain, gfn)) {
      this.transitions.vmExit(vcpu, 'log-dirty', HW_ASSIST_PATH.value.logDirtyHandler * this.machine.profile.cpu.kernelCpi);
      vcpu.count(this.logDirtyFault);
    }
  }

  beginBatch(): void {
    // Hardware virtualisation has no batching interface: the guest's stores just happen.
  }

  flushBatch(): void {}

  invalidatePage(vcpu: Vcpu, virtualPage: number): void {
    const base = (vcpu.domain.id + 1) * TAGS_PER_DOMAIN;
    // On every pCPU (a shootdown): a vCPU back on the pCPU it last ran on is not world-switched there.
    for (const p of this.machine.pcpus) p.tlb.invalidateAsidRange(base, base + TAGS_PER_DOMAIN - 1, virtualPage);
    vcpu.charge(CostCategory.GuestKernel, this.costs.tlbInvalidatePage);
  }

  flushTlb(vcpu: Vcpu): void {
    // With tagged TLBs only this address space's entries go (INVVPID/INVPCID single context).
    if (this.tagged) this.tlb(vcpu).flushAsid(vcpu.asid);
    else this.tlb(vcpu).flushAll();
    vcpu.charge(CostCategory.GuestKernel, this.costs.pageTableBaseSwitch);
    vcpu.count(MechanismIndex.TlbFlush);
  }

  zeroFrame(vcpu: Vcpu, frame: Gfn): void {
    this.machine.memory.zero(this.populate(vcpu, frame));
    this.noteWrite(vcpu, frame);
    vcpu.charge(CostCategory.GuestKernel, this.costs.pageZero);
    vcpu.count(MechanismIndex.PageZero);
  }

  copyFrame(vcpu: Vcpu, to: Gfn, from: Gfn): void {
    this.machine.memory.copy(this.populate(vcpu, to), this.populate(vcpu, from));
    this.noteWrite(vcpu, to);
    vcpu.charge(CostCategory.GuestKernel, this.costs.pageCopy);
    vcpu.count(MechanismIndex.PageCopy);
  }

  /** A kernel store through the guest's own mapping: with dirty logging on, a write-protected page exits on its first write. */
  writeFrame(vcpu: Vcpu, frame: Gfn): void {
    this.populate(vcpu, frame);
    this.map.wrote(vcpu.domain, frame);
    this.noteWrite(vcpu, frame);
  }

  /** The machine frame behind a guest frame (populated on first use; range-checked). */
  populate(vcpu: Vcpu, gfn: number): number {
    return this.map.populate(vcpu, gfn);
  }

  /** The machine frame of a guest frame for device DMA through the IOMMU, or -1 (IOMMU fault). */
  iommuTranslate(domain: Domain, gfn: Gfn): Mfn {
    return this.map.inRange(domain, gfn) ? this.map.lookup(domain, gfn) : NO_MACHINE_FRAME;
  }

  /** Drops the pCPU's TLB entries on a world switch when the TLB is untagged. */
  worldSwitch(vcpu: Vcpu): void {
    if (this.tagged) return;
    this.tlb(vcpu).flushAll();
    vcpu.count(MechanismIndex.TlbFlush);
  }

  /** Per tag, the root it was last loaded with. */
  readonly #tagRoots = new Map<number, number>();

  /**
   * A tagged TLB keeps each tag's entries across loads, which is right only while the tag
   * still names the same tables: a guest that reuses an address-space id (PCID) for new
   * tables gets that tag's entries dropped on the load, as a CR3 write without NOFLUSH does.
   */
  protected dropTagIfReused(vcpu: Vcpu, root: number): void {
    if (!this.tagged) return;
    const last = this.#tagRoots.get(vcpu.asid);
    if (last !== undefined && last !== root) {
      for (const p of this.machine.pcpus) p.tlb.flushAsid(vcpu.asid);
      vcpu.count(MechanismIndex.TlbFlush);
    }
    this.#tagRoots.set(vcpu.asid, root);
  }

  /**
   * The TLB tag: the vCPU's VPID (one per vCPU, as KVM gives each vCPU its own) and the
   * guest's address space (PCID-like).
   */
  protected asid(vcpu: Vcpu, addressSpace: number): number {
    // Block 0..VPIDS_PER_DOMAIN-1 stays the host's; each domain's vCPUs get the blocks after.
    return addressSpaceTag((vcpu.domain.id + 1) * VPIDS_PER_DOMAIN + (vcpu.index % VPIDS_PER_DOMAIN), addressSpace);
  }

  /**
   * A vCPU starts a burst on `pcpu`. With tagged TLBs its entries on a pCPU it did not last
   * run on may predate invalidations it made elsewhere: they are dropped (KVM flushes a
   * vCPU's VPID when the vCPU moves to another pCPU).
   */
  vcpuArrived(pcpu: number, vcpu: Vcpu): void {
    if (!this.tagged || vcpu.lastPcpu === pcpu || vcpu.lastPcpu < 0) return;
    const base = (vcpu.domain.id + 1) * TAGS_PER_DOMAIN + (vcpu.index % VPIDS_PER_DOMAIN) * 4096;
    this.machine.pcpus[pcpu]!.tlb.flushAsidRange(base, base + 4095);
  }

  /** Refuses a guest entry that names a frame outside the domain (an EPT violation to be). */
  protected checkEntry(vcpu: Vcpu, entry: number): void {
    if ((entry & PTE_PRESENT) !== 0 && !this.map.inRange(vcpu.domain, pteFrame(entry))) {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new GuestRequestError(
        vcpu.domain.name,
        'page-table write',
        `entry names guest frame ${pteFrame(entry)}, outside its ${this.map.frames(vcpu.domain)} frames`,
      );
    }
  }

  protected tlb(vcpu: Vcpu): Tlb {
    const p = vcpu.pcpu >= 0 ? vcpu.pcpu : vcpu.lastPcpu >= 0 ? vcpu.lastPcpu : 0;
    return this.machine.pcpus[p]!.tlb;
  }

  protected root(vcpu: Vcpu): number {
    return this.roots[vcpu.domain.id]?.[vcpu.index] ?? -1;
  }
}
