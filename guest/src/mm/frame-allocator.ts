import { packRuns, unpackRuns } from '../util/run-length.js';

/** Frames the page cache is asked to give back at a time when memory runs out. */
const RECLAIM_BATCH = 32;

/**
 * The guest kernel's physical page allocator over its own frames (gfns 0..n-1), with a
 * reference count per frame so copy-on-write and the page cache can share pages. Lowest
 * frames first, freed frames reused last-in first-out: deterministic.
 *
 * @public
 */
export class FrameAllocator {
  readonly #refs: Uint16Array;
  readonly #free: number[] = [];
  #next: number;

  constructor(
    readonly frames: number,
    /** Frames below this are the kernel image's and never handed out. */
    reserved: number,
  ) {
    this.#refs = new Uint16Array(frames);
    this.#next = reserved;
  }

  /** Frames still free. */
  get available(): number {
    return this.frames - this.#next + this.#free.length;
  }

  /**
   * Frees some frames when memory runs out (the page cache drops clean pages); returns how
   * many it freed. Set by the file system.
   */
  reclaim: ((wanted: number) => number) | undefined;

  /** A free frame with one reference, or -1 when memory is exhausted even after reclaim. */
  allocate(): number {
    if (this.#free.length === 0 && this.#next >= this.frames) this.reclaim?.(RECLAIM_BATCH);
    const f = this.#free.length > 0 ? this.#free.pop()! : this.#next < this.frames ? this.#next++ : -1;
    if (f >= 0) this.#refs[f] = 1;
    return f;
  }

  /** Adds a reference (a second mapping sharing the frame). */
  share(frame: number): void {
    this.#refs[frame] = this.#refs[frame]! + 1;
  }

  /** Drops a reference; returns true when the frame became free. */
  release(frame: number): boolean {
    const r = this.#refs[frame]! - 1;
    this.#refs[frame] = Math.max(0, r);
    if (r === 0) {
      this.#free.push(frame);
      return true;
    }
    return false;
  }

  /** References to `frame`. */
  refs(frame: number): number {
    return this.#refs[frame]!;
  }

  /** Its state as plain data, for a checkpoint: reference counts run-length coded. */
  save(): SavedFrameAllocator {
    return { frames: this.frames, refs: packRuns(this.#refs), free: [...this.#free], next: this.#next };
  }

  /** Takes on a checkpointed state (of an allocator over as many frames); false if it does not fit. */
  load(saved: SavedFrameAllocator): boolean {
    if (saved.frames !== this.frames || !unpackRuns(saved.refs, this.#refs)) return false;
    this.#free.length = 0;
    this.#free.push(...saved.free);
    this.#next = saved.next;
    return true;
  }
}

/**
 * A frame allocator as a checkpoint holds it.
 *
 * @public
 */
export interface SavedFrameAllocator {
  readonly frames: number;
  readonly refs: readonly number[];
  readonly free: readonly number[];
  readonly next: number;
}
