import { PTE_PRESENT, PTE_USER, PTE_WRITABLE, gfn as toGfn, makePte, tableIndex, type Gfn, type Hypervisor, type Vcpu } from '@visorkit/core';

/** Allocates guest frames for page tables from a range of one vCPU's domain. */
export class TableFrames {
  constructor(public next: number) {}
  take(): number {
    return this.next++;
  }
}

/**
 * One address space built the way a guest kernel builds one, through the memory
 * extension point: tables in the domain's own frames, announced with `pinPageTable`,
 * intermediate entries written on demand. The kit writes leaf entries itself (singly or in
 * lazy-MMU batches), so it can drive every path.
 */
export class KitAddressSpace {
  readonly root: Gfn;
  readonly #children = new Map<number, Gfn>();

  constructor(
    readonly hv: Hypervisor,
    readonly vcpu: Vcpu,
    readonly frames: TableFrames,
    /** The address-space id (PCID-like) the guest loads it with. */
    readonly id: number,
  ) {
    this.root = this.#table(hv.memory.geometry.levels);
  }

  /** The leaf table frame and index of `vpn`, building the tables above it (outside any batch). */
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

  /** Writes the leaf entry of `vpn` (gfn < 0: unmap). */
  write(vpn: number, gfn: number, writable: boolean): void {
    const { table, index } = this.leaf(vpn);
    this.hv.memory.writePte(this.vcpu, table, index, gfn < 0 ? 0 : makePte(gfn, PTE_PRESENT | PTE_USER | (writable ? PTE_WRITABLE : 0)));
  }

  /** Loads it on the vCPU (through the CPU extension point, as a context switch does). */
  activate(): void {
    this.hv.cpu.switchAddressSpace(this.vcpu, this.root, this.id);
  }

  #table(level: number): Gfn {
    const frame = toGfn(this.frames.take());
    this.hv.memory.zeroFrame(this.vcpu, frame);
    this.hv.memory.pinPageTable(this.vcpu, frame, level);
    return frame;
  }
}
