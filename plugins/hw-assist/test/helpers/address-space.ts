import { PTE_PRESENT, PTE_USER, PTE_WRITABLE, makePte, tableIndex, type Hypervisor, type Vcpu } from '@visorkit/core';

/**
 * Builds a guest address space by hand through the MemoryVirtualization interface, as a
 * guest kernel would: page-table frames from the low gfns, pinned, entries in guest format.
 */
export class AddressSpaceBuilder {
  #nextTable: number;
  readonly root: number;
  readonly #tables = new Map<string, number>();

  constructor(
    readonly hv: Hypervisor,
    readonly vcpu: Vcpu,
    firstTableGfn = 1,
  ) {
    this.#nextTable = firstTableGfn;
    this.root = this.#newTable(hv.memory.geometry.levels);
  }

  /** Maps virtual page `vpn` to guest frame `gfn`. */
  map(vpn: number, gfn: number, writable = true): void {
    const m = this.hv.memory;
    const levels = m.geometry.levels;
    let table = this.root;
    m.beginBatch(this.vcpu);
    for (let level = levels; level > 1; level--) {
      const i = tableIndex(m.geometry, vpn, level);
      const key = `${table}:${i}`;
      let child = this.#tables.get(key);
      if (child === undefined) {
        child = this.#newTable(level - 1);
        this.#tables.set(key, child);
        m.writePte(this.vcpu, table as never, i, makePte(child, PTE_PRESENT | PTE_WRITABLE | PTE_USER));
      }
      table = child;
    }
    m.writePte(this.vcpu, table as never, tableIndex(m.geometry, vpn, 1), makePte(gfn, PTE_PRESENT | PTE_USER | (writable ? PTE_WRITABLE : 0)));
    m.flushBatch(this.vcpu);
  }

  /** Loads this address space on the vCPU. */
  activate(addressSpace = 1): void {
    this.hv.cpu.switchAddressSpace(this.vcpu, this.root as never, addressSpace);
  }

  #newTable(level: number): number {
    const gfn = this.#nextTable++;
    this.hv.memory.zeroFrame(this.vcpu, gfn as never);
    this.hv.memory.pinPageTable(this.vcpu, gfn as never, level);
    return gfn;
  }
}
