import type { Hypervisor } from '../composition/hypervisor.js';
import type { Vcpu } from '../domain/vcpu.js';
import { gfn, type Gfn } from '../units/units.js';
import { PTE_PRESENT, PTE_USER, PTE_WRITABLE, makePte, tableIndex } from './paging.js';

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
  readonly #children = new Map<number, Gfn>();
  #nextFrame: number;

  constructor(
    readonly hv: Hypervisor,
    readonly vcpu: Vcpu,
    /** First guest frame used for page tables. */
    firstFrame: number,
  ) {
    this.#nextFrame = firstFrame;
    this.root = this.#table(hv.memory.geometry.levels);
  }

  /** Guest frames used for tables so far. */
  get framesUsed(): number {
    return this.#nextFrame;
  }

  /**
   * Writes the leaf entry of `vpn` (0 unmaps), building tables as needed, then invalidates
   * the page's TLB entries as a kernel must after changing a mapping.
   */
  set(vpn: number, entry: number): void {
    const m = this.hv.memory;
    this.#leafTable(vpn, (table, index) => m.writePte(this.vcpu, table, index, entry));
    m.invalidatePage(this.vcpu, vpn);
  }

  /** Maps `count` consecutive virtual pages from `firstVpn` to guest frames from `firstGfn`. */
  mapRange(firstVpn: number, firstGfn: number, count: number): void {
    const m = this.hv.memory;
    m.beginBatch(this.vcpu);
    for (let i = 0; i < count; i++) {
      this.#leafTable(firstVpn + i, (table, index) => m.writePte(this.vcpu, table, index, makePte(firstGfn + i, PTE_PRESENT | PTE_WRITABLE | PTE_USER)));
    }
    m.flushBatch(this.vcpu);
  }

  /** Finds (building as needed) the leaf table of `vpn` and hands its frame and index to `write`. */
  #leafTable(vpn: number, write: (table: Gfn, index: number) => void): void {
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
    write(table, tableIndex(g, vpn, 1));
  }

  /** Loads the address space on the vCPU. */
  activate(addressSpace = 1): void {
    this.hv.cpu.switchAddressSpace(this.vcpu, this.root, addressSpace);
  }

  #table(level: number): Gfn {
    const frame = gfn(this.#nextFrame++);
    this.hv.memory.zeroFrame(this.vcpu, frame);
    this.hv.memory.pinPageTable(this.vcpu, frame, level);
    return frame;
  }
}
