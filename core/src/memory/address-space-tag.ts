/**
 * Address spaces one block of TLB tags tells apart: the low 12 bits of a tag, as many as x86's
 * PCIDs.
 *
 * @public
 */
export const ADDRESS_SPACES_PER_TAG_BLOCK = 4096;

/**
 * The TLB tag (VPID/ASID with a PCID) of address space `addressSpace` in tag block `block`.
 * A memory plugin gives each domain — or each vCPU of a domain, where vCPUs have tags of their
 * own (VPIDs) — a block, and numbers its address spaces within it; the one encoding every
 * plugin uses, so that tags of different plugins' domains never collide by accident of
 * arithmetic.
 *
 * @public
 */
export function addressSpaceTag(block: number, addressSpace: number): number {
  return block * ADDRESS_SPACES_PER_TAG_BLOCK + (addressSpace % ADDRESS_SPACES_PER_TAG_BLOCK);
}
