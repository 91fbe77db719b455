/**
 * Xen's per-frame reference and writable type counts, per domain (`count_info` and
 * `PGT_writable_page` in `xen/arch/x86/mm.c`): how many leaf entries map each of the
 * domain's frames, and how many of them writable. A frame with a writable mapping cannot be
 * typed as a page table (`get_page_type` fails), so a guest can never reach a validated page
 * table through a writable mapping it made before the table was pinned; a frame still mapped
 * cannot be given back to the hypervisor (its reference keeps it), so no mapping outlives
 * the frame's ownership.
 *
 * Counts are kept per target frame and, so that zeroing or copying a table page can drop
 * what it held, per table frame. Only frames holding such entries are ever scanned.
 */
export class WritableMappings {
  /** Leaf references to each frame (gfn → count). */
  readonly #mapped = new Map<number, number>();
  /** Writable leaf references to each frame (gfn → count). */
  readonly #writable = new Map<number, number>();
  /** Leaf entries held in each table frame (gfn → count). */
  readonly #inTable = new Map<number, number>();

  /** True when some leaf entry maps `frame` writable. */
  isMappedWritable(frame: number): boolean {
    return this.#writable.has(frame);
  }

  /** True when some leaf entry maps `frame`. */
  isMapped(frame: number): boolean {
    return this.#mapped.has(frame);
  }

  /** True when table frame `table` holds leaf entries. */
  holdsEntries(table: number): boolean {
    return this.#inTable.has(table);
  }

  /** A device was granted write access to `frame` (a disk read into it): a writable reference no table holds. */
  grantDeviceWrite(frame: number): void {
    bump(this.#mapped, frame, 1);
    bump(this.#writable, frame, 1);
  }

  /** The device's grant of {@link WritableMappings.grantDeviceWrite} is dropped. */
  endDeviceWrite(frame: number): void {
    bump(this.#mapped, frame, -1);
    bump(this.#writable, frame, -1);
  }

  /**
   * An entry of leaf table `table` that mapped `before` (-1: nothing) now maps `after` (-1:
   * nothing); the `Writable` flags say whether each mapping was writable.
   */
  replace(table: number, before: number, beforeWritable: boolean, after: number, afterWritable: boolean): void {
    if (before === after && beforeWritable === afterWritable) return;
    if (before >= 0) {
      bump(this.#mapped, before, -1);
      if (beforeWritable) bump(this.#writable, before, -1);
      bump(this.#inTable, table, -1);
    }
    if (after >= 0) {
      bump(this.#mapped, after, 1);
      if (afterWritable) bump(this.#writable, after, 1);
      bump(this.#inTable, table, 1);
    }
  }
}

function bump(map: Map<number, number>, key: number, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}
