import {
  CostCategory,
  PTE_COW,
  PTE_PRESENT,
  PTE_USER,
  PTE_WRITABLE,
  makePte,
  pteFrame,
  tableIndex,
  type Gfn,
  type Hypervisor,
  type PagingGeometry,
  type Vcpu,
} from '@visorkit/core';
import type { FrameAllocator } from './frame-allocator.js';
import { vmaContains, type Vma } from './vma.js';

/**
 * The kernel's own guest-physical memory: a frame allocator plus the platform's memory interface.
 *
 * @public
 */
export interface PhysicalPages {
  readonly hv: Hypervisor;
  readonly frames: FrameAllocator;
  /** Told when a space's resident (present) pages change, for per-context accounting. */
  residentChanged?(space: AddressSpace, delta: number): void;
}

/**
 * A process's address space: VMAs and x86 page tables whose entries live in the domain's
 * RAM frames. Every entry is written through `MemoryVirtualization.writePte`; table pages
 * are announced with `pinPageTable`. The kernel also keeps an index of present leaf entries
 * (as Linux keeps struct pages and rmaps) so fork and teardown need not scan empty tables;
 * the tables themselves are what the hardware walks.
 *
 * @public
 */
export class AddressSpace {
  readonly root: number;
  readonly vmas: Vma[] = [];
  /** Present leaf entries by virtual page: guest-format PTE. */
  readonly present = new Map<number, number>();
  /** Intermediate tables by (parent table, index). */
  readonly #children = new Map<number, number>();
  /** Every page-table frame of this space (for teardown), with its level. */
  readonly #tables: number[] = [];
  readonly #levels: number[] = [];
  /** Kernel-half entries copied into a table (root, or PAE's kernel directory). */
  readonly #kernelEntries = new Map<number, number>();
  /** PAE: this space's copy of the kernel's page directory (-1: none). */
  #kernelDirectory = -1;
  /** The next unused virtual page for mmap. */
  mmapCursor = 0x40000;
  /** The program break (heap end), in pages. */
  brkPage = 0x8000;
  /** The container context whose memory this space counts against (0: the host). */
  context = 0;

  constructor(
    readonly pages: PhysicalPages,
    readonly id: number,
    vcpu: Vcpu,
    /** Rebuild a checkpointed space instead (its tables are reinstalled by the caller). */
    saved?: SavedAddressSpace,
  ) {
    if (saved !== undefined) {
      this.root = saved.root;
      this.vmas.push(...saved.vmas);
      for (let i = 0; i < saved.present.length; i += 2) this.present.set(saved.present[i]!, saved.present[i + 1]!);
      for (let i = 0; i < saved.children.length; i += 2) this.#children.set(saved.children[i]!, saved.children[i + 1]!);
      this.#tables.push(...saved.tables);
      this.#levels.push(...saved.levels);
      for (let i = 0; i < saved.kernelEntries.length; i += 2) this.#kernelEntries.set(saved.kernelEntries[i]!, saved.kernelEntries[i + 1]!);
      this.#kernelDirectory = saved.kernelDirectory;
      this.mmapCursor = saved.mmapCursor;
      this.brkPage = saved.brkPage;
      this.context = saved.context;
      return;
    }
    const m = pages.hv.memory;
    const g = m.geometry;
    const half = kernelHalf(g, m.frames(vcpu.domain));
    if (half.level === g.levels) {
      this.root = this.#newTable(vcpu, g.levels, half.entries);
    } else {
      // PAE: the top-level table has four entries; the last points at this space's own copy
      // of the kernel's page directory (Xen cannot share it: it holds Xen's slots too).
      this.root = this.#newTable(vcpu, g.levels);
      const kernelDirectory = this.#newTable(vcpu, half.level, half.entries);
      this.#kernelDirectory = kernelDirectory;
      m.writePte(vcpu, this.root as Gfn, g.entriesPerTable[g.levels]! - 1, makePte(kernelDirectory, PTE_PRESENT));
    }
    // pgd_alloc copies the kernel's entries into the new table (a memcpy of the entries).
    vcpu.charge(CostCategory.GuestKernel, half.entries * pages.hv.profile.costs.pteWrite);
  }

  /** The VMA containing `vpn`, if any. */
  vmaAt(vpn: number): Vma | undefined {
    for (const v of this.vmas) if (vmaContains(v, vpn)) return v;
    return undefined;
  }

  /** Writes the leaf entry for `vpn` (0 = not present), building intermediate tables as needed. */
  setLeaf(vcpu: Vcpu, vpn: number, entry: number): void {
    const m = this.pages.hv.memory;
    const g = m.geometry;
    let table = this.root;
    for (let level = g.levels; level > 1; level--) {
      const index = tableIndex(g, vpn, level);
      const key = table * 1024 + index;
      let child = this.#children.get(key);
      if (child === undefined) {
        if (entry === 0) return;
        child = this.#newTable(vcpu, level - 1);
        this.#children.set(key, child);
        m.writePte(vcpu, table as Gfn, index, makePte(child, PTE_PRESENT | PTE_WRITABLE | PTE_USER));
      }
      table = child;
    }
    m.writePte(vcpu, table as Gfn, tableIndex(g, vpn, 1), entry);
    const before = this.present.size;
    if (entry === 0) this.present.delete(vpn);
    else this.present.set(vpn, entry);
    if (this.present.size !== before) this.pages.residentChanged?.(this, this.present.size - before);
  }

  /** Maps `vpn` to guest frame `gfn`. */
  map(vcpu: Vcpu, vpn: number, gfn: number, writable: boolean, cow = false): void {
    this.setLeaf(vcpu, vpn, makePte(gfn, PTE_PRESENT | PTE_USER | (writable ? PTE_WRITABLE : 0) | (cow ? PTE_COW : 0)));
  }

  /** Unmaps `vpn` and drops its frame reference; returns the frame or -1. */
  unmap(vcpu: Vcpu, vpn: number): number {
    const e = this.present.get(vpn);
    if (e === undefined) return -1;
    this.setLeaf(vcpu, vpn, 0);
    this.pages.hv.memory.invalidatePage(vcpu, vpn);
    const frame = pteFrame(e);
    this.pages.frames.release(frame);
    return frame;
  }

  /** Frees every mapping and every table (exit, exec). Returns present entries torn down. */
  destroy(vcpu: Vcpu): number {
    const m = this.pages.hv.memory;
    const n = this.present.size;
    m.beginBatch(vcpu);
    for (const [vpn, e] of this.present) {
      this.setLeafQuiet(vcpu, vpn);
      this.pages.frames.release(pteFrame(e));
    }
    m.flushBatch(vcpu);
    if (n > 0) this.pages.residentChanged?.(this, -n);
    this.present.clear();
    for (const t of this.#tables) {
      m.unpinPageTable(vcpu, t as Gfn);
      this.pages.frames.release(t);
    }
    this.#tables.length = 0;
    this.#levels.length = 0;
    this.#kernelEntries.clear();
    this.#children.clear();
    this.vmas.length = 0;
    return n;
  }

  /**
   * Rebuilds this space's page tables on a new machine after migration: the frames arrived
   * with the source's machine-format entries, so every table is zeroed, announced again and
   * refilled from the kernel's own record of the mappings (Xen's uncanonicalisation).
   */
  reinstall(vcpu: Vcpu): void {
    const m = this.pages.hv.memory;
    const g = m.geometry;
    for (let i = 0; i < this.#tables.length; i++) {
      const t = this.#tables[i]!;
      m.zeroFrame(vcpu, t as Gfn);
      m.pinPageTable(vcpu, t as Gfn, this.#levels[i]!, this.#kernelEntries.get(t) ?? 0);
    }
    if (this.#kernelDirectory >= 0) m.writePte(vcpu, this.root as Gfn, g.entriesPerTable[g.levels]! - 1, makePte(this.#kernelDirectory, PTE_PRESENT));
    m.beginBatch(vcpu);
    for (const [key, child] of this.#children)
      m.writePte(vcpu, Math.floor(key / 1024) as Gfn, key % 1024, makePte(child, PTE_PRESENT | PTE_WRITABLE | PTE_USER));
    for (const [vpn, e] of this.present) {
      let table = this.root;
      for (let level = g.levels; level > 1; level--) table = this.#children.get(table * 1024 + tableIndex(g, vpn, level))!;
      m.writePte(vcpu, table as Gfn, tableIndex(g, vpn, 1), e);
    }
    m.flushBatch(vcpu);
  }

  /** Clears a leaf entry without touching the index (used while iterating it). */
  private setLeafQuiet(vcpu: Vcpu, vpn: number): void {
    const m = this.pages.hv.memory;
    const g = m.geometry;
    let table = this.root;
    for (let level = g.levels; level > 1; level--) {
      const child = this.#children.get(table * 1024 + tableIndex(g, vpn, level));
      if (child === undefined) return;
      table = child;
    }
    m.writePte(vcpu, table as Gfn, tableIndex(g, vpn, 1), 0);
  }

  /** Number of page-table pages. */
  /** Its state as plain data, for a checkpoint (page-table frames are in the domain's memory). */
  save(): SavedAddressSpace {
    return {
      id: this.id,
      root: this.root,
      vmas: this.vmas,
      present: flatten(this.present),
      children: flatten(this.#children),
      tables: this.#tables,
      levels: this.#levels,
      kernelEntries: flatten(this.#kernelEntries),
      kernelDirectory: this.#kernelDirectory,
      mmapCursor: this.mmapCursor,
      brkPage: this.brkPage,
      context: this.context,
    };
  }

  get tablePages(): number {
    return this.#tables.length;
  }

  #newTable(vcpu: Vcpu, level: number, kernelEntries = 0): number {
    const gfn = this.pages.frames.allocate();
    if (gfn < 0) throw new OutOfGuestMemory();
    this.pages.hv.memory.zeroFrame(vcpu, gfn as Gfn);
    this.pages.hv.memory.pinPageTable(vcpu, gfn as Gfn, level, kernelEntries);
    this.#tables.push(gfn);
    this.#levels.push(level);
    if (kernelEntries > 0) this.#kernelEntries.set(gfn, kernelEntries);
    return gfn;
  }
}

/**
 * An address space as a checkpoint holds it: maps as flat [key, value, key, value…] lists.
 *
 * @public
 */
export interface SavedAddressSpace {
  readonly id: number;
  readonly root: number;
  readonly vmas: readonly Vma[];
  readonly present: readonly number[];
  readonly children: readonly number[];
  readonly tables: readonly number[];
  readonly levels: readonly number[];
  readonly kernelEntries: readonly number[];
  readonly kernelDirectory: number;
  readonly mmapCursor: number;
  readonly brkPage: number;
  readonly context: number;
}

function flatten(map: ReadonlyMap<number, number>): number[] {
  const out: number[] = [];
  for (const [k, v] of map) out.push(k, v);
  return out;
}

/** Low memory a 32-bit kernel maps directly (the rest is high memory): 896 MiB. */
const LOWMEM_LIMIT_PAGES = (896 * 1048576) / 4096;
/** Kernel-half entries beyond the direct map: kernel image and modules, vmalloc and fixmap. */
const KERNEL_EXTRA_ENTRIES = 2;

/**
 * Where a new address space gets its copy of the kernel's mappings, and how many entries
 * that copy has: the kernel's directly mapped memory (all of it on 64-bit, at most 896 MiB on
 * 32-bit) divided by what one entry covers, plus the kernel image and vmalloc areas. 2-level
 * and 4-level copy into the top-level table; PAE into a per-space kernel page directory.
 *
 * @public
 */
export function kernelHalf(g: PagingGeometry, domainFrames: number): { level: number; entries: number } {
  const level = g.format === 'pae-3-level' ? 2 : g.levels;
  const directMapped = g.format === '4-level' ? domainFrames : Math.min(domainFrames, LOWMEM_LIMIT_PAGES);
  return { level, entries: Math.ceil(directMapped / g.pagesPerEntry[level]!) + KERNEL_EXTRA_ENTRIES };
}

/**
 * The guest kernel ran out of frames (becomes ENOMEM for the caller).
 *
 * @public
 */
export class OutOfGuestMemory extends Error {
  constructor() {
    super('guest out of memory');
  }
}
