import type { Hypervisor } from '../composition/hypervisor.js';
import type { Vcpu } from '../domain/vcpu.js';
import { gfn, type Gfn } from '../units/units.js';
import { PTE_PRESENT, PTE_USER, PTE_WRITABLE, makePte, tableIndex } from './paging.js';

/**
 * The guest frames page tables are taken from, in order: one per builder, or one shared by
 * several builders of a domain (a kernel's address spaces draw on one pool).
 *
 * @public
 */
export class PageTableFrames {
  constructor(
    /** The next frame {@link take} hands out. */
    public next: number,
  ) {}

  /** The next free frame for a table. */
  take(): Gfn {
    return gfn(this.next++);
  }
}

/**
 * Builds an address space through the MemoryVirtualization interface the way a guest kernel
 * does: page-table frames taken from the domain's own memory, announced with pinPageTable,
 * entries written in guest format inside a lazy-MMU batch. Each platform pays for it its
 * own way (stores, validated batches, trapped writes).
 *
 * @public
 */
export class PageTableBuilder {
  readonly root: Gfn;
  /** Where its tables come from. */
  readonly frames: PageTableFrames;
  readonly #children = new Map<number, Gfn>();

  constructor(
    readonly hv: Hypervisor,
    readonly vcpu: Vcpu,
    /** First guest frame used for page tables, or a pool shared with other builders. */
    firstFrame: number | PageTableFrames,
  ) {
    this.frames = typeof firstFrame === 'number' ? new PageTableFrames(firstFrame) : firstFrame;
    this.root = this.#table(hv.memory.geometry.levels);
  }

  /** Guest frames used for tables so far (the pool's next frame). */
  get framesUsed(): number {
    return this.frames.next;
  }

  /**
   * Writes the leaf entry of `vpn` (0 unmaps), building tables as needed, then invalidates
   * the page's TLB entries as a kernel must after changing a mapping.
   */
  set(vpn: number, entry: number): void {
    this.write(vpn, entry);
    this.hv.memory.invalidatePage(this.vcpu, vpn);
  }

  /** Writes the leaf entry of `vpn` (0 unmaps), building tables as needed; invalidating the TLB is the caller's. */
  write(vpn: number, entry: number): void {
    const { table, index } = this.leaf(vpn);
    this.hv.memory.writePte(this.vcpu, table, index, entry);
  }

  /** Maps `count` consecutive virtual pages from `firstVpn` to guest frames from `firstGfn`. */
  mapRange(firstVpn: number, firstGfn: number, count: number): void {
    const m = this.hv.memory;
    m.beginBatch(this.vcpu);
    for (let i = 0; i < count; i++) this.write(firstVpn + i, makePte(firstGfn + i, PTE_PRESENT | PTE_WRITABLE | PTE_USER));
    m.flushBatch(this.vcpu);
  }

  /** The leaf table frame and index of `vpn`, building (and linking in) the tables above it as needed. */
  leaf(vpn: number): { table: Gfn; index: number } {
    const m = this.hv.memory;
    const g = m.geometry;
    let table = this.root;
    for (let level = g.levels; level > 1; level--) {
      const index = tableIndex(g, vpn, level);
      const key = table * 1024 + index;
      let child = this.#children.get(key);
      if (child === undefined) {
        child = this.#table(level - 1);
        this.#children.set(key, child);
        m.writePte(this.vcpu, table, index, makePte(child, PTE_PRESENT | PTE_WRITABLE | PTE_USER));
      }
      table = child;
    }
    return { table, index: tableIndex(g, vpn, 1) };
  }

  /** Loads the address space on the vCPU. */
  activate(addressSpace = 1): void {
    this.hv.cpu.switchAddressSpace(this.vcpu, this.root, addressSpace);
  }

  #table(level: number): Gfn {
    const frame = this.frames.take();
    this.hv.memory.zeroFrame(this.vcpu, frame);
    this.hv.memory.pinPageTable(this.vcpu, frame, level);
    return frame;
  }
}
