import type { FrameAllocator } from '../mm/frame-allocator.js';
import { packRuns, runsLength, unpackRuns } from '../util/run-length.js';
import type { Program } from '../program/program.js';

/**
 * A file of the guest's file system.
 *
 * @public
 */
export interface Inode {
  readonly number: number;
  readonly path: string;
  /** Size in bytes. */
  size: number;
  /** Page-cache frames by page index (-1: not cached yet). Grows with the file. */
  cache: Int32Array;
  /** First disk sector of each page (-1: no block yet: a hole, or data not yet written back). */
  sectors: Int32Array;
  /** Pages written in the cache and not yet on disk. */
  readonly dirty: Set<number>;
  /** For executables: the program it runs and its image layout. */
  readonly image?: ExecutableImage;
  /** Names linked to this inode (hard links). */
  links: number;
  /** Unified files are immutable: a write copies the file first (copy on write). */
  immutable: boolean;
  /**
   * What the file's bytes are, for content identity (`fileIdentity` in core): set when the
   * file is not what its path and size say in every image (a host key, a log), so its pages
   * are never taken for another domain's. Default: `fileIdentity(path, size)`.
   */
  contentId?: number;
}

/** Page index range per inode in the LRU key. */
const PAGE_KEY = 1 << 24;

/**
 * An executable's layout: pages of text, data, bss, and the program it runs.
 *
 * @public
 */
export interface ExecutableImage {
  readonly program: Program;
  readonly textPages: number;
  readonly dataPages: number;
  readonly bssPages: number;
  /** Shared libraries mapped alongside (libc), as paths. */
  readonly libraries: readonly string[];
}

/**
 * A small file system with a page cache. Files are created at boot (the image: /bin/sh, libc,
 * benchmark binaries, data files) and live in the page cache once read; their pages are
 * guest frames shared by every mapping (file-backed, copy-on-write when private).
 *
 * @public
 */
export class FileSystem {
  readonly #byPath = new Map<string, Inode>();
  readonly #inodes: Inode[] = [];

  /** The next free 4 KiB block of the disk, in sectors (a bump allocator: files written in order stay contiguous). */
  #nextSector: number;

  /** Cached pages, least recently used first (key: inode number × 2^24 + page). */
  readonly #lru = new Map<number, Inode>();
  /** Clean page-cache pages dropped to make room. */
  evicted = 0;

  constructor(
    readonly frames: FrameAllocator,
    /** Sectors at the start of the disk kept for the boot image (read by readBlocks). */
    firstDataSector = 1 << 16,
    /** The disk's size in sectors: block allocation beyond it fails. */
    readonly diskSectors = 1 << 21,
  ) {
    this.#nextSector = firstDataSector;
    frames.reclaim = (wanted) => this.#evict(wanted);
  }

  /**
   * Drops up to `wanted` clean, unmapped page-cache pages, least recently used first (the
   * kernel's page reclaim). Dirty pages wait for write-back; mapped ones for their mappers.
   */
  #evict(wanted: number): number {
    let freed = 0;
    for (const [key, inode] of this.#lru) {
      if (freed >= wanted) break;
      const page = key % PAGE_KEY;
      const frame = inode.cache[page]!;
      if (frame < 0) {
        this.#lru.delete(key);
        continue;
      }
      if (inode.dirty.has(page) || this.frames.refs(frame) > 1) continue;
      this.#lru.delete(key);
      inode.cache[page] = -1;
      this.frames.release(frame);
      freed++;
    }
    this.evicted += freed;
    return freed;
  }

  /** Marks a cached page recently used (a read hit). */
  touched(inode: Inode, page: number): void {
    const key = inode.number * PAGE_KEY + page;
    if (this.#lru.delete(key)) this.#lru.set(key, inode);
  }

  /** Sectors still free on the disk. */
  get freeSectors(): number {
    return this.diskSectors - this.#nextSector;
  }

  /** A new 4 KiB block (8 sectors), or -1 when the disk is full. */
  #allocateSectors(): number {
    if (this.#nextSector + 8 > this.diskSectors) return -1;
    const s = this.#nextSector;
    this.#nextSector += 8;
    return s;
  }

  /** Gives the page a disk block if it has none (delayed allocation at write-back); false when the disk is full. */
  assignBlock(inode: Inode, page: number): boolean {
    if (inode.sectors[page]! >= 0) return true;
    const s = this.#allocateSectors();
    if (s < 0) return false;
    inode.sectors[page] = s;
    return true;
  }

  /** Grows the file's page arrays to hold `pages` pages (a write past its end). */
  ensurePages(inode: Inode, pages: number): void {
    if (pages <= inode.cache.length) return;
    const size = Math.max(pages, inode.cache.length * 2);
    const cache = new Int32Array(size).fill(-1);
    cache.set(inode.cache);
    const sectors = new Int32Array(size).fill(-1);
    sectors.set(inode.sectors);
    inode.cache = cache;
    inode.sectors = sectors;
  }

  /** Creates a file of `bytes` (and an executable image, for programs). */
  create(path: string, bytes: number, image?: ExecutableImage): Inode {
    const pages = Math.ceil(bytes / 4096);
    const inode: Inode = {
      number: this.#inodes.length + 1,
      path,
      size: bytes,
      cache: new Int32Array(pages).fill(-1),
      sectors: new Int32Array(pages).fill(-1),
      dirty: new Set(),
      links: 1,
      immutable: false,
      ...(image !== undefined ? { image } : {}),
    };
    // A file created with contents has them on disk, laid out contiguously.
    for (let p = 0; p < pages; p++) inode.sectors[p] = this.#allocateSectors();
    this.#inodes.push(inode);
    this.#byPath.set(path, inode);
    return inode;
  }

  /**
   * Hard-links `path` to the file at `existing` (VServer unification): both names share one
   * inode, its blocks and its page cache; the file becomes immutable, so a write through
   * either name copies it first.
   */
  link(path: string, existing: string): Inode {
    const inode = this.#byPath.get(existing);
    if (inode === undefined) throw new Error(`link: no file '${existing}'`);
    inode.links++;
    inode.immutable = true;
    this.#byPath.set(path, inode);
    return inode;
  }

  /** Breaks a unified file's link for `path`: a private copy (new inode, pages copied by `copyPage`). */
  copyOnWrite(path: string, copyPage: (from: number) => number): Inode {
    const shared = this.#byPath.get(path)!;
    const copy = this.create(path, shared.size);
    shared.links--;
    for (let i = 0; i < shared.cache.length; i++) if (shared.cache[i]! >= 0) copy.cache[i] = copyPage(shared.cache[i]!);
    // The copy's pages are new data: dirty in the cache until written back.
    for (let i = 0; i < copy.cache.length; i++) if (copy.cache[i]! >= 0) copy.dirty.add(i);
    return copy;
  }

  /** Disk blocks (4 KiB) the file system holds: each inode counted once, however many names it has. */
  get blocks(): number {
    const seen = new Set<Inode>(this.#byPath.values());
    let n = 0;
    for (const i of seen) n += Math.ceil(i.size / 4096);
    return n;
  }

  /** Page-cache frames resident (each inode's pages counted once). */
  get cachedPages(): number {
    const seen = new Set<Inode>(this.#byPath.values());
    let n = 0;
    for (const i of seen) for (const f of i.cache) if (f >= 0) n++;
    return n;
  }

  /** The file at `path`, if it exists. */
  lookup(path: string): Inode | undefined {
    return this.#byPath.get(path);
  }

  /** The file with inode number `n`. */
  inode(n: number): Inode {
    return this.#inodes[n - 1]!;
  }

  /** Path components (for lookup cost). */
  components(path: string): number {
    return path.split('/').filter(Boolean).length;
  }

  /**
   * The page-cache frame of page `page` of `inode`: returns the frame and whether it had to
   * be read in (first use). -1 when memory is exhausted.
   */
  cachePage(inode: Inode, page: number): { frame: number; missed: boolean } {
    const cached = inode.cache[page]!;
    if (cached >= 0) return { frame: cached, missed: false };
    const frame = this.frames.allocate();
    if (frame >= 0) {
      inode.cache[page] = frame;
      this.#lru.set(inode.number * PAGE_KEY + page, inode);
    }
    return { frame, missed: true };
  }

  /** Its state as plain data, for a checkpoint (page contents are in the domain's memory). */
  save(): SavedFileSystem {
    return {
      inodes: this.#inodes.map((i) => ({
        number: i.number,
        path: i.path,
        size: i.size,
        cache: packRuns(i.cache),
        sectors: packRuns(i.sectors),
        dirty: [...i.dirty],
        links: i.links,
        immutable: i.immutable,
        ...(i.image !== undefined
          ? { image: { textPages: i.image.textPages, dataPages: i.image.dataPages, bssPages: i.image.bssPages, libraries: i.image.libraries } }
          : {}),
      })),
      paths: [...this.#byPath].map(([path, inode]) => [path, inode.number] as const),
      nextSector: this.#nextSector,
      lru: [...this.#lru.keys()],
      evicted: this.evicted,
    };
  }

  /**
   * Takes on a checkpointed state; executables get their programs back from `programOf`
   * (by the path they were installed at). Returns the path of a program it lacks, if any.
   */
  load(saved: SavedFileSystem, programOf: (path: string) => Program | undefined): string | undefined {
    const inodes: Inode[] = [];
    for (const s of saved.inodes) {
      let image: ExecutableImage | undefined;
      if (s.image !== undefined) {
        const program = programOf(s.path);
        if (program === undefined) return s.path;
        image = { ...s.image, program };
      }
      inodes.push({
        number: s.number,
        path: s.path,
        size: s.size,
        cache: unpacked(s.cache),
        sectors: unpacked(s.sectors),
        dirty: new Set(s.dirty),
        links: s.links,
        immutable: s.immutable,
        ...(image !== undefined ? { image } : {}),
      });
    }
    this.#inodes.length = 0;
    this.#inodes.push(...inodes);
    this.#byPath.clear();
    for (const [path, n] of saved.paths) this.#byPath.set(path, inodes[n - 1]!);
    this.#lru.clear();
    for (const key of saved.lru) this.#lru.set(key, inodes[Math.floor(key / PAGE_KEY) - 1]!);
    this.#nextSector = saved.nextSector;
    this.evicted = saved.evicted;
    return undefined;
  }
}

/**
 * A file system as a checkpoint holds it.
 *
 * @public
 */
export interface SavedFileSystem {
  readonly inodes: readonly {
    readonly number: number;
    readonly path: string;
    readonly size: number;
    readonly cache: readonly number[];
    readonly sectors: readonly number[];
    readonly dirty: readonly number[];
    readonly links: number;
    readonly immutable: boolean;
    readonly image?: Omit<ExecutableImage, 'program'>;
  }[];
  readonly paths: readonly (readonly [string, number])[];
  readonly nextSector: number;
  readonly lru: readonly number[];
  readonly evicted: number;
}

function unpacked(runs: readonly number[]): Int32Array {
  const out = new Int32Array(runsLength(runs));
  unpackRuns(runs, out);
  return out;
}
