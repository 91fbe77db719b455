import { PTE_PRESENT, PTE_USER, PTE_WRITABLE, makePte, tableIndex, type Hypervisor, type Vcpu } from '@visorkit/core';

/**
 * Builds an address space through the MemoryVirtualization interface the way a guest kernel
 * does: page-table frames taken from the domain's own memory, announced with pinPageTable,
 * entries written in guest format inside a lazy-MMU batch. Each platform pays for it its
 * own way (stores, validated batches, trapped writes).
 */
export class PageTableBuilder {
  readonly root: number;
  readonly #children = new Map<number, number>();
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

  /** Maps `count` consecutive virtual pages from `firstVpn` to guest frames from `firstGfn`. */
  mapRange(firstVpn: number, firstGfn: number, count: number): void {
    const m = this.hv.memory;
    const g = m.geometry;
    m.beginBatch(this.vcpu);
    for (let i = 0; i < count; i++) {
      const vpn = firstVpn + i;
      let table = this.root;
      for (let level = g.levels; level > 1; level--) {
        const index = tableIndex(g, vpn, level);
        const key = table * 1024 + index;
        let child = this.#children.get(key);
        if (child === undefined) {
          child = this.#table(level - 1);
          this.#children.set(key, child);
          m.writePte(this.vcpu, table as never, index, makePte(child, PTE_PRESENT | PTE_WRITABLE | PTE_USER));
        }
        table = child;
      }
      m.writePte(this.vcpu, table as never, tableIndex(g, vpn, 1), makePte(firstGfn + i, PTE_PRESENT | PTE_WRITABLE | PTE_USER));
    }
    m.flushBatch(this.vcpu);
  }

  /** Loads the address space on the vCPU. */
  activate(addressSpace = 1): void {
    this.hv.cpu.switchAddressSpace(this.vcpu, this.root as never, addressSpace);
  }

  #table(level: number): number {
    const gfn = this.#nextFrame++;
    this.hv.memory.zeroFrame(this.vcpu, gfn as never);
    this.hv.memory.pinPageTable(this.vcpu, gfn as never, level);
    return gfn;
  }
}
