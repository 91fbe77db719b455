import { PTE_PRESENT, PTE_USER, PTE_WRITABLE, PageTableBuilder, makePte, type Hypervisor, type Vcpu } from '@visorkit/core';

/** Core's page-table builder with the test-friendly `map(vpn, gfn, writable)` shape. */
export class AddressSpaceBuilder {
  readonly #tables: PageTableBuilder;
  constructor(
    readonly hv: Hypervisor,
    readonly vcpu: Vcpu,
    firstTableGfn = 1,
  ) {
    this.#tables = new PageTableBuilder(hv, vcpu, firstTableGfn);
  }
  get root(): number {
    return this.#tables.root;
  }
  /** Maps virtual page `vpn` to guest frame `gfn` (inside a lazy-MMU batch). */
  map(vpn: number, gfn: number, writable = true): void {
    this.hv.memory.beginBatch(this.vcpu);
    this.#tables.set(vpn, makePte(gfn, PTE_PRESENT | PTE_USER | (writable ? PTE_WRITABLE : 0)));
    this.hv.memory.flushBatch(this.vcpu);
  }
  /** Loads this address space on the vCPU. */
  activate(addressSpace = 1): void {
    this.#tables.activate(addressSpace);
  }
}
