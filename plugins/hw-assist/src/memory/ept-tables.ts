import {
  FRAMES_PER_LARGE_PAGE,
  HYPERVISOR_OWNER,
  PAGING_GEOMETRY,
  PTE_LARGE,
  PTE_PRESENT,
  PTE_WRITABLE,
  WalkResult,
  makePte,
  pteFrame,
  readTableEntry,
  tableIndex,
  walkPageTables,
  writeTableEntry,
  type PhysicalMemory,
  type Mfn,
} from '@visorkit/core';

const GEOMETRY = PAGING_GEOMETRY['4-level'];

/**
 * One domain's extended page tables: a real 4-level table tree in hypervisor-owned frames
 * mapping guest-physical frames to machine frames, walked by the simulated hardware on every
 * nested translation. With large pages, a 2 MiB-aligned guest region that is machine-
 * contiguous is mapped by one level-2 entry, so its walks stop a level early.
 *
 * @public
 */
export class EptTables {
  readonly root: number;
  readonly #walk = new WalkResult();
  /** Hypervisor frames holding EPT tables (for release). */
  readonly #tables: Mfn[] = [];

  constructor(
    readonly memory: PhysicalMemory,
    readonly largePages: boolean,
  ) {
    this.root = this.#newTable();
  }

  /** Maps guest frame `gfn` to machine frame `mfn` (or the whole 2 MiB region when large). */
  map(gfn: number, mfn: number): void {
    let table = this.root;
    const bottom = this.largePages ? 2 : 1;
    for (let level = 4; level > bottom; level--) {
      const i = tableIndex(GEOMETRY, gfn, level);
      let e = readTableEntry(this.memory, GEOMETRY, table, i);
      if ((e & PTE_PRESENT) === 0) {
        e = makePte(this.#newTable(), PTE_PRESENT | PTE_WRITABLE);
        writeTableEntry(this.memory, GEOMETRY, table, i, e);
      }
      table = pteFrame(e);
    }
    if (this.largePages) {
      const base = mfn - (gfn % FRAMES_PER_LARGE_PAGE);
      writeTableEntry(this.memory, GEOMETRY, table, tableIndex(GEOMETRY, gfn, 2), makePte(base, PTE_PRESENT | PTE_WRITABLE | PTE_LARGE));
    } else {
      writeTableEntry(this.memory, GEOMETRY, table, tableIndex(GEOMETRY, gfn, 1), makePte(mfn, PTE_PRESENT | PTE_WRITABLE));
    }
  }

  /** Walks the EPT for `gfn`: returns the machine frame (or -1) and leaves references in `refs`. */
  translate(gfn: number): number {
    const w = walkPageTables(this.memory, GEOMETRY, this.root, gfn, this.#walk);
    this.references = w.references;
    return w.faulted ? -1 : w.frame;
  }

  /** Memory references of the last {@link translate}. */
  references = 0;

  /** Releases every table frame. */
  release(): void {
    for (const t of this.#tables) this.memory.release(t);
    this.#tables.length = 0;
  }

  #newTable(): number {
    const frame = this.memory.allocate(HYPERVISOR_OWNER);
    this.#tables.push(frame);
    return frame;
  }
}
