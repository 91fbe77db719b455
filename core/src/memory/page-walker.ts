import { InvalidArgumentError } from '../errors/visorkit-error.js';
import type { PhysicalMemory } from '../machine/physical-memory.js';
import { PAGE_SIZE } from '../units/units.js';
import { PTE_LARGE, PTE_PRESENT, pagesPerEntry, pteFrame, tableIndex, type PagingGeometry } from './paging.js';

/**
 * Reusable result of a walk, so the hot path allocates nothing.
 *
 * @public
 */
export class WalkResult {
  /** Leaf entry found (0 when the walk faulted). */
  pte = 0;
  /** Frame the virtual page maps to (for a large page, the 4 KiB frame inside it). */
  frame = -1;
  /** Memory references the walk made (one per level visited). */
  references = 0;
  /** Level at which the walk stopped (1 = leaf; higher for a large page or a fault). */
  level = 0;
  /** True when a non-present entry was met. */
  faulted = false;
}

/**
 * Reads the entry at `index` of the table in machine frame `frame`.
 *
 * @public
 */
export function readTableEntry(memory: PhysicalMemory, geometry: PagingGeometry, frame: number, index: number): number {
  return geometry.entryBytes === 4 ? memory.readWord32(frame, index) : memory.readEntry64(frame, index);
}

/**
 * Writes the entry at `index` of the table in machine frame `frame`.
 * @throws InvalidArgumentError if `index` is not an entry of one table (a fractional index
 *   would write half of one entry and half of the next)
 *
 * @public
 */
export function writeTableEntry(memory: PhysicalMemory, geometry: PagingGeometry, frame: number, index: number, value: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= PAGE_SIZE / geometry.entryBytes)
    throw new InvalidArgumentError('page-table index', `${index} is not an entry of a ${PAGE_SIZE / geometry.entryBytes}-entry table`);
  if (geometry.entryBytes === 4) memory.writeWord32(frame, index, value);
  else memory.writeEntry64(frame, index, value);
}

/**
 * The hardware page walker: follows `geometry`'s levels from `rootFrame` for virtual page
 * `vpn`. `toMachine` maps the frame numbers stored in entries to machine frames (identity
 * when tables hold machine frames, as on native and Xen PV; a second walk under nested
 * paging is done by the caller, which counts its own references).
 *
 * @public
 */
export function walkPageTables(memory: PhysicalMemory, geometry: PagingGeometry, rootFrame: number, vpn: number, result: WalkResult): WalkResult {
  let table = rootFrame;
  result.references = 0;
  result.faulted = false;
  for (let level = geometry.levels; level >= 1; level--) {
    const entry = readTableEntry(memory, geometry, table, tableIndex(geometry, vpn, level));
    result.references++;
    if ((entry & PTE_PRESENT) === 0) {
      result.pte = 0;
      result.frame = -1;
      result.level = level;
      result.faulted = true;
      return result;
    }
    if (level === 1 || (level === 2 && (entry & PTE_LARGE) !== 0)) {
      result.pte = entry;
      result.level = level;
      result.frame = level === 1 ? pteFrame(entry) : pteFrame(entry) + (vpn % pagesPerEntry(geometry, level));
      return result;
    }
    table = pteFrame(entry);
  }
  return result;
}
