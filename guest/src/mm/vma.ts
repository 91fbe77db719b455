/**
 * What backs a virtual memory area.
 *
 * @public
 */
export type VmaBacking = { readonly kind: 'anonymous' } | { readonly kind: 'file'; readonly inode: number; readonly firstPage: number };

/**
 * A virtual memory area: pages [start, start + pages) with one protection and backing.
 *
 * @public
 */
export interface Vma {
  readonly start: number;
  readonly pages: number;
  readonly writable: boolean;
  /** Private mappings are copied on write (anonymous memory, private file mappings). */
  readonly backing: VmaBacking;
  readonly name: string;
}

/**
 * True when virtual page `vpn` lies in `vma`.
 *
 * @public
 */
export function vmaContains(vma: Vma, vpn: number): boolean {
  return vpn >= vma.start && vpn < vma.start + vma.pages;
}
