import { PTE_PRESENT, PTE_USER, PTE_WRITABLE, PageTableBuilder, makePte, type Hypervisor, type PageTableFrames, type Vcpu } from '@visorkit/core';

/**
 * One address space built the way a guest kernel builds one — core's {@link PageTableBuilder}:
 * tables in the domain's own frames, announced with `pinPageTable`, intermediate entries
 * written on demand — under a fixed address-space id. The kit writes leaf entries itself
 * (singly or in lazy-MMU batches) and invalidates when it chooses, so it can drive every path.
 */
export class KitAddressSpace extends PageTableBuilder {
  constructor(
    hv: Hypervisor,
    vcpu: Vcpu,
    frames: PageTableFrames,
    /** The address-space id (PCID-like) the guest loads it with. */
    readonly id: number,
  ) {
    super(hv, vcpu, frames);
  }

  /** Writes the leaf entry of `vpn` to map guest frame `gfn` (gfn < 0: unmap); no TLB invalidation. */
  map(vpn: number, gfn: number, writable: boolean): void {
    this.write(vpn, gfn < 0 ? 0 : makePte(gfn, PTE_PRESENT | PTE_USER | (writable ? PTE_WRITABLE : 0)));
  }

  /** Loads it on the vCPU under its id (through the CPU extension point, as a context switch does). */
  override activate(addressSpace = this.id): void {
    super.activate(addressSpace);
  }
}
