import type { Gfn } from '../units/units.js';
import type { PageTableFormat } from '../machine/machine-profile.js';

/**
 * x86 page-table geometry and entry format, shared by every paging model (the guest's own
 * tables, Xen's validated tables, shadow tables, EPT). Entries are numbers:
 * `frame * 4096 + flags` (exact below 2^53).
 *
 * @public
 */
export interface PagingGeometry {
  readonly format: PageTableFormat;
  /** Levels of the walk, top first. */
  readonly levels: number;
  /** Index bits per level, top first; the leaf (level 1) is last. */
  readonly indexBits: readonly number[];
  /** Bytes per entry: 4 for 2-level, 8 for PAE and 4-level. */
  readonly entryBytes: 4 | 8;
  /** Virtual address bits translated. */
  readonly vaBits: number;
  /** Per level (index = level, 1 = leaf): pages one entry covers, i.e. the vpn divisor. */
  readonly pagesPerEntry: readonly number[];
  /** Per level: entries in a table of that level. */
  readonly entriesPerTable: readonly number[];
}

function geometry(format: PageTableFormat, indexBits: number[], entryBytes: 4 | 8, vaBits: number): PagingGeometry {
  const levels = indexBits.length;
  const pagesPerEntry = [0];
  const entriesPerTable = [0];
  let pages = 1;
  for (let level = 1; level <= levels; level++) {
    pagesPerEntry.push(pages);
    const width = indexBits[levels - level]!;
    entriesPerTable.push(2 ** width);
    pages *= 2 ** width;
  }
  return { format, levels, indexBits, entryBytes, vaBits, pagesPerEntry, entriesPerTable };
}

/**
 * The three formats of x86 history.
 *
 * @public
 */
export const PAGING_GEOMETRY: Readonly<Record<PageTableFormat, PagingGeometry>> = {
  '2-level': geometry('2-level', [10, 10], 4, 32),
  'pae-3-level': geometry('pae-3-level', [2, 9, 9], 8, 32),
  '4-level': geometry('4-level', [9, 9, 9, 9], 8, 48),
};

/**
 * Entry maps something (or points to a next-level table).
 *
 * @public
 */
export const PTE_PRESENT = 0x1;
/**
 * Writes allowed through this entry.
 *
 * @public
 */
export const PTE_WRITABLE = 0x2;
/**
 * User mode may access.
 *
 * @public
 */
export const PTE_USER = 0x4;
/**
 * Set by hardware on access.
 *
 * @public
 */
export const PTE_ACCESSED = 0x20;
/**
 * Set by hardware on write.
 *
 * @public
 */
export const PTE_DIRTY = 0x40;
/**
 * Large page (2 MiB / 4 MiB) at a non-leaf level.
 *
 * @public
 */
export const PTE_LARGE = 0x80;
/**
 * Software bit (available to the OS): page is copy-on-write.
 *
 * @public
 */
export const PTE_COW = 0x200;

/**
 * Builds an entry from a frame number and flags.
 *
 * @public
 */
export function makePte(frame: number, flags: number): number {
  return frame * 4096 + (flags & 0xfff);
}
/**
 * The frame an entry points at.
 *
 * @public
 */
export function pteFrame(pte: number): number {
  return Math.floor(pte / 4096);
}
/**
 * The guest frame an entry in guest format points at (guest tables, TLB entries holding
 * guest frames): {@link pteFrame} with its unit.
 *
 * @public
 */
export function pteGuestFrame(pte: number): Gfn {
  // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- a guest-format entry names a guest frame
  return Math.floor(pte / 4096) as Gfn;
}
/**
 * The flag bits of an entry.
 *
 * @public
 */
export function pteFlags(pte: number): number {
  return pte % 4096;
}
/**
 * True when every bit of `flag` is set in `pte`.
 *
 * @public
 */
export function pteHas(pte: number, flag: number): boolean {
  return ((pte % 4096) & flag) === flag;
}

/**
 * Index into the table at `level` (top level = `levels`, leaf = 1) for virtual page number `vpn`.
 *
 * @public
 */
export function tableIndex(geometry: PagingGeometry, vpn: number, level: number): number {
  return Math.floor(vpn / geometry.pagesPerEntry[level]!) % geometry.entriesPerTable[level]!;
}

/**
 * Pages covered by one entry at `level` (1 at the leaf).
 *
 * @public
 */
export function pagesPerEntry(geometry: PagingGeometry, level: number): number {
  return geometry.pagesPerEntry[level]!;
}
