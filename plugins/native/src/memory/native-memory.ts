import {
  CostCategory,
  GuestPhysicalMap,
  GuestPhysicalMapToken,
  Machine,
  MechanismIndex,
  PTE_PRESENT,
  PTE_WRITABLE,
  TRANSLATION_FAULT,
  WalkResult,
  inject,
  injectable,
  optional,
  makePte,
  pteFlags,
  pteFrame,
  readTableEntry,
  tlbRefillCycles,
  walkPageTables,
  writeTableEntry,
  type Domain,
  type FrameAccess,
  type Gfn,
  type Mfn,
  type MemoryVirtualization,
  type PagingGeometry,
  type Tlb,
  type Vcpu,
  ADDRESS_SPACES_PER_TAG_BLOCK,
  addressSpaceTag,
} from '@visorkit/core';

/**
 * Bare-metal memory: the guest kernel's page-table stores go straight to memory (one
 * `pteWrite` each), the hardware walks those tables on a TLB miss, and the TLB is untagged,
 * so loading a new page-table base flushes it.
 *
 * Guest frames are populated lazily from machine RAM on first use, so host memory grows with
 * what guests touch. Tables hold machine frame numbers (as the hardware needs); the guest's
 * frame numbers are converted on store and converted back on read, through an m2p map.
 *
 * @public
 */
@injectable()
export class NativeMemory implements MemoryVirtualization {
  readonly geometry: PagingGeometry;
  readonly #map: GuestPhysicalMap;
  /** Root gfn of each vCPU's active address space, by domain (-1: none). */
  readonly #roots: (Int32Array | undefined)[] = [];
  readonly #walk = new WalkResult();
  readonly #costs;

  constructor(
    @inject(Machine) readonly machine: Machine,
    @inject(GuestPhysicalMapToken) @optional() map?: GuestPhysicalMap,
  ) {
    this.geometry = machine.geometry;
    // The module binds one map for the machine (a decorator reaches it); a bare instance makes its own.
    this.#map = map ?? new GuestPhysicalMap(machine.memory);
    this.#costs = machine.profile.costs;
  }

  domainCreated(domain: Domain): void {
    this.#map.add(domain);
    this.#roots[domain.id] = new Int32Array(domain.vcpus.length).fill(-1);
    for (const v of domain.vcpus) v.asid = addressSpaceTag(domain.id, 0);
  }

  domainDestroyed(domain: Domain): void {
    this.#map.remove(domain);
    this.#roots[domain.id] = undefined;
  }

  frames(domain: Domain): number {
    return this.#map.frames(domain);
  }

  machineFrame(domain: Domain, frame: Gfn, _access: FrameAccess): Mfn {
    // Bare metal keeps no dirty log and shares no frames: a write needs nothing first.
    return this.#map.lookup(domain, frame);
  }

  pinPageTable(): void {
    // Bare metal: a page table is just memory.
  }

  unpinPageTable(): void {}

  writePte(vcpu: Vcpu, table: Gfn, index: number, entry: number): void {
    const present = (entry & PTE_PRESENT) !== 0;
    // Check both frames before populating either: a refused store changes nothing.
    if (present) this.#guard(vcpu, pteFrame(entry));
    const tableMfn = this.#populate(vcpu, table);
    const stored = present ? makePte(this.#populate(vcpu, pteFrame(entry)), pteFlags(entry)) : 0;
    writeTableEntry(this.machine.memory, this.geometry, tableMfn, index, stored);
    vcpu.charge(CostCategory.GuestKernel, this.#costs.pteWrite);
    vcpu.count(MechanismIndex.PteWrite);
  }

  readPte(vcpu: Vcpu, table: Gfn, index: number): number {
    const tableMfn = this.#populate(vcpu, table);
    const stored = readTableEntry(this.machine.memory, this.geometry, tableMfn, index);
    if ((stored & PTE_PRESENT) === 0) return stored;
    return makePte(this.#map.reverse(pteFrame(stored)), pteFlags(stored));
  }

  beginBatch(): void {
    // No batching on bare metal: stores are already as cheap as they get.
  }

  flushBatch(): void {}

  activate(vcpu: Vcpu, root: Gfn, addressSpace: number): void {
    this.#populate(vcpu, root);
    this.#roots[vcpu.domain.id]![vcpu.index] = root;
    // Unique across domains, so a shared pCPU TLB never confuses two domains' spaces.
    vcpu.asid = addressSpaceTag(vcpu.domain.id, addressSpace);
    this.#forgetIfReused(vcpu.asid, root);
    this.#tlb(vcpu).flushAll();
    vcpu.count(MechanismIndex.TlbFlush);
  }

  translate(vcpu: Vcpu, virtualPage: number, write: boolean): Gfn {
    const tlb = this.#tlb(vcpu);
    let leaf = tlb.lookup(vcpu.asid, virtualPage);
    if (leaf < 0) {
      const root = this.#roots[vcpu.domain.id]?.[vcpu.index] ?? -1;
      if (root < 0) return TRANSLATION_FAULT;
      const walk = walkPageTables(this.machine.memory, this.geometry, this.#map.lookup(vcpu.domain, root), virtualPage, this.#walk);
      vcpu.charge(CostCategory.GuestKernel, tlbRefillCycles(this.machine.profile, walk.references));
      vcpu.count(MechanismIndex.TlbMiss);
      vcpu.count(MechanismIndex.PageWalkReference, walk.references);
      if (walk.faulted) return TRANSLATION_FAULT;
      leaf = makePte(walk.frame, pteFlags(walk.pte));
      tlb.insert(vcpu.asid, virtualPage, leaf);
    }
    if (write && (leaf & PTE_WRITABLE) === 0) return TRANSLATION_FAULT;
    const gfn = this.#map.reverse(pteFrame(leaf));
    if (write) this.#map.wrote(vcpu.domain, gfn);
    return gfn;
  }

  invalidatePage(vcpu: Vcpu, virtualPage: number): void {
    const base = addressSpaceTag(vcpu.domain.id, 0);
    // Every pCPU the domain ran on may hold the page (a shootdown): a vCPU that moved back to a
    // pCPU it ran on last is not world-switched there, so nothing else would drop it.
    for (const p of this.machine.pcpus) p.tlb.invalidateAsidRange(base, base + ADDRESS_SPACES_PER_TAG_BLOCK - 1, virtualPage);
    vcpu.charge(CostCategory.GuestKernel, this.#costs.tlbInvalidatePage);
  }

  /** Drops the untagged TLB of the pCPU `vcpu` runs on, uncharged (the CPU point charged the switch). */
  worldSwitch(vcpu: Vcpu): void {
    this.#tlb(vcpu).flushAll();
    vcpu.count(MechanismIndex.TlbFlush);
  }

  flushTlb(vcpu: Vcpu): void {
    this.#tlb(vcpu).flushAll();
    vcpu.charge(CostCategory.GuestKernel, this.#costs.pageTableBaseSwitch);
    vcpu.count(MechanismIndex.TlbFlush);
  }

  zeroFrame(vcpu: Vcpu, frame: Gfn): void {
    this.machine.memory.zero(this.#populate(vcpu, frame));
    vcpu.charge(CostCategory.GuestKernel, this.#costs.pageZero);
    vcpu.count(MechanismIndex.PageZero);
  }

  copyFrame(vcpu: Vcpu, to: Gfn, from: Gfn): void {
    this.#guard(vcpu, from);
    this.machine.memory.copy(this.#populate(vcpu, to), this.#populate(vcpu, from));
    vcpu.charge(CostCategory.GuestKernel, this.#costs.pageCopy);
    vcpu.count(MechanismIndex.PageCopy);
  }

  /** A plain store on bare metal: nothing to add to the copy the kernel charged. */
  writeFrame(vcpu: Vcpu, frame: Gfn): void {
    this.#populate(vcpu, frame);
    this.#map.wrote(vcpu.domain, frame);
  }

  /** The machine frame behind guest frame `frame`, populated if needed (device DMA targets). */
  populatedFrame(vcpu: Vcpu, frame: Gfn): number {
    return this.#populate(vcpu, frame);
  }

  /** Per address-space tag, the root it was last loaded with. */
  readonly #tagRoots = new Map<number, number>();

  /**
   * An address-space id loaded with new tables (the old space is gone and its id reused):
   * entries other pCPUs hold under it belong to the old tables, so they go everywhere —
   * the local flush below only covers this pCPU, and a vCPU returning to a pCPU it last ran
   * on is not world-switched there.
   */
  #forgetIfReused(tag: number, root: number): void {
    const last = this.#tagRoots.get(tag);
    if (last !== undefined && last !== root) for (const p of this.machine.pcpus) p.tlb.flushAsid(tag);
    this.#tagRoots.set(tag, root);
  }

  /** Refuses (typed error, counted) a frame outside the reservation without populating anything. */
  #guard(vcpu: Vcpu, frame: number): void {
    if (!this.#map.inRange(vcpu.domain, frame)) this.#populate(vcpu, frame);
  }

  #populate(vcpu: Vcpu, frame: number): number {
    return this.#map.populate(vcpu, frame);
  }

  #tlb(vcpu: Vcpu): Tlb {
    const pcpus = this.machine.pcpus;
    const p = vcpu.pcpu >= 0 ? vcpu.pcpu : vcpu.lastPcpu >= 0 ? vcpu.lastPcpu : 0;
    return pcpus[p]!.tlb;
  }
}
