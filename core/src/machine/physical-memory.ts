import { VisorkitError } from '../errors/visorkit-error.js';
import type { MachineRecorder } from '../recorder/machine-recorder.js';
import { PAGE_SIZE, type DomainId, type Mfn } from '../units/units.js';

/**
 * Owner value of a frame nobody holds.
 *
 * @public
 */
export const NO_OWNER = -1;
/**
 * Owner value of frames the hypervisor itself holds (its heap, shadow tables).
 *
 * @public
 */
export const HYPERVISOR_OWNER = -2;

const WORDS = PAGE_SIZE / 4;
/**
 * The contents of every frame that was written with nothing but zero bytes (a DMA of a
 * never-written disk sector, say): populated and private like any written frame, but sharing
 * one buffer until a non-zero byte lands in it, so a guest reading gigabytes of sparse disk
 * costs no host memory for them. Never written through: {@link PhysicalMemory}'s writes
 * give a frame its own buffer first.
 */
const ZERO_WORDS = new Uint32Array(WORDS);
/** Frames per owner-table chunk (256 MiB of RAM). */
const OWNER_CHUNK = 65536;

/**
 * A machine frame number outside the machine's RAM.
 *
 * @public
 */
export class AddressOutOfRangeError extends VisorkitError {
  constructor(
    readonly frame: number,
    readonly frames: number,
  ) {
    super('ADDRESS_OUT_OF_RANGE', `Machine frame ${frame} is outside RAM (0..${frames - 1}).`);
  }
}

/**
 * The machine has no free frame left for an allocation.
 *
 * @public
 */
export class OutOfMemoryError extends VisorkitError {
  constructor(
    readonly requested: number,
    readonly free: number,
  ) {
    super('OUT_OF_MEMORY', `Cannot allocate ${requested} frame(s): only ${free} free on the machine.`);
  }
}

/**
 * The machine's RAM as 4 KiB frames: an owner table and sparse contents.
 *
 * Only frames that have been written hold bytes (a `Uint32Array` of 1024 words each); a frame
 * that was never written, or was zeroed, reads as zeros and costs no host memory. So a 4 GiB
 * machine costs host memory in proportion to what its guests really touch.
 *
 * Words are little-endian 32-bit; a 64-bit entry is two words (low first) and is read as a
 * JavaScript number, exact up to 2^53 (enough for 52-bit physical addresses plus flags).
 *
 * @public
 */
export class PhysicalMemory {
  /** Number of frames of RAM. */
  readonly frames: number;
  /** Owner table in chunks created on first write, so untouched RAM costs nothing. */
  readonly #ownerChunks: (Int32Array | undefined)[];
  /** Content keys (see `PageContent`) in chunks of {@link OWNER_CHUNK}, created when a frame first holds something other than zeros. */
  readonly #keyChunks: (Float64Array | undefined)[];
  /** Frame contents in chunks of {@link OWNER_CHUNK} slots, created on first write. */
  readonly #contentChunks: ((Uint32Array | undefined)[] | undefined)[];
  #populated = 0;
  /** Frames released after use, reused last-in first-out (deterministic). */
  readonly #released: number[] = [];
  /** Frames never handed out are `#fresh .. frames-1`: lowest numbers first. */
  #fresh = 0;
  /** Machine recorder watching this RAM (undefined: not recording, the hooks cost one check). */
  recorder: MachineRecorder | undefined = undefined;

  /** @param frames RAM size in 4 KiB frames */
  constructor(frames: number) {
    this.frames = frames;
    this.#ownerChunks = new Array<Int32Array | undefined>(Math.ceil(frames / OWNER_CHUNK)).fill(undefined);
    this.#contentChunks = new Array<(Uint32Array | undefined)[] | undefined>(Math.ceil(frames / OWNER_CHUNK)).fill(undefined);
    this.#keyChunks = new Array<Float64Array | undefined>(Math.ceil(frames / OWNER_CHUNK)).fill(undefined);
  }

  /**
   * What the frame holds, as a content key (`PageContent`): 0 when it reads as zeros, -1 for
   * private data, a file page's key when the guest kernel read one into it. Bytes written
   * make a frame private; zeroing makes it zero; a copy carries the source's key.
   */
  contentOf(frame: number): number {
    return this.#keyChunks[frame >>> 16]?.[frame & 0xffff] ?? 0;
  }

  /**
   * Records what the frame holds (a guest kernel that read a file page in, zeroed or wrote
   * a page). It describes contents the simulation does not store byte by byte; it changes
   * no byte.
   */
  setContent(frame: number, key: number): void {
    this.#check(frame);
    this.#setKey(frame, key);
  }

  #setKey(frame: number, key: number): void {
    let chunk = this.#keyChunks[frame >>> 16];
    if (chunk === undefined) {
      if (key === 0) return;
      chunk = new Float64Array(OWNER_CHUNK);
      this.#keyChunks[frame >>> 16] = chunk;
    }
    chunk[frame & 0xffff] = key;
  }

  /** Frames not owned by anyone. */
  get freeFrames(): number {
    return this.frames - this.#fresh + this.#released.length;
  }

  /** Frames that currently hold non-zero contents (host memory actually used). */
  get populatedFrames(): number {
    return this.#populated;
  }

  /** The contents of a frame, or undefined when it reads as zeros. */
  #get(frame: number): Uint32Array | undefined {
    return this.#contentChunks[frame >>> 16]?.[frame & 0xffff];
  }

  #set(frame: number, words: Uint32Array | undefined): void {
    let chunk = this.#contentChunks[frame >>> 16];
    if (chunk === undefined) {
      if (words === undefined) return;
      chunk = new Array<Uint32Array | undefined>(OWNER_CHUNK).fill(undefined);
      this.#contentChunks[frame >>> 16] = chunk;
    }
    const had = chunk[frame & 0xffff] !== undefined;
    chunk[frame & 0xffff] = words;
    this.#populated += (words !== undefined ? 1 : 0) - (had ? 1 : 0);
  }

  /** Allocates one zeroed frame for `owner`. */
  allocate(owner: DomainId | typeof HYPERVISOR_OWNER): Mfn {
    let frame: number;
    if (this.#released.length > 0) frame = this.#released.pop()!;
    else if (this.#fresh < this.frames) frame = this.#fresh++;
    else throw new OutOfMemoryError(1, 0);
    this.#setOwner(frame, owner);
    // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- physical memory is where machine frame numbers come from (in range by construction)
    return frame as Mfn;
  }

  /**
   * Allocates `count` physically contiguous frames starting at a multiple of `align` (for
   * large-page mappings). Taken from never-used RAM; throws OutOfMemoryError when none is left.
   */
  allocateContiguous(owner: DomainId | typeof HYPERVISOR_OWNER, count: number, align: number): Mfn {
    const start = Math.ceil(this.#fresh / align) * align;
    if (start + count > this.frames) throw new OutOfMemoryError(count, this.freeFrames);
    // Frames skipped for alignment go to the free pool, so nothing is lost.
    for (let f = this.#fresh; f < start; f++) this.#released.push(f);
    this.#fresh = start + count;
    for (let f = start; f < start + count; f++) this.#setOwner(f, owner);
    // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- as in allocate: the first frame of a range this memory just handed out
    return start as Mfn;
  }

  /** Returns a frame to the free pool; its contents are discarded (reads as zero). */
  release(frame: Mfn): void {
    this.#check(frame);
    if (this.ownerOf(frame) === NO_OWNER) return;
    this.#setOwner(frame, NO_OWNER);
    this.#set(frame, undefined);
    this.#setKey(frame, 0);
    this.#released.push(frame);
  }

  /** The owner of a frame: a domain id, {@link NO_OWNER} or {@link HYPERVISOR_OWNER}. */
  ownerOf(frame: number): number {
    this.#check(frame);
    const chunk = this.#ownerChunks[Math.floor(frame / OWNER_CHUNK)];
    return chunk === undefined ? NO_OWNER : chunk[frame % OWNER_CHUNK]!;
  }

  /** Hands a frame to another owner (page flipping, balloon, migration). */
  transfer(frame: Mfn, to: DomainId | typeof HYPERVISOR_OWNER): void {
    this.#check(frame);
    this.#setOwner(frame, to);
  }

  #setOwner(frame: number, owner: number): void {
    if (this.recorder !== undefined) this.recorder.onOwnerChange(frame, this.ownerOf(frame), owner);
    const c = Math.floor(frame / OWNER_CHUNK);
    let chunk = this.#ownerChunks[c];
    if (chunk === undefined) {
      chunk = new Int32Array(OWNER_CHUNK).fill(NO_OWNER);
      this.#ownerChunks[c] = chunk;
    }
    chunk[frame % OWNER_CHUNK] = owner;
  }

  /** Reads a 32-bit word at a word index (0..1023) of a frame. */
  readWord32(frame: number, word: number): number {
    this.#check(frame);
    if (this.recorder !== undefined) this.recorder.onFrameAccess('read', frame);
    const c = this.#get(frame);
    return c === undefined ? 0 : c[word]!;
  }

  /** Writes a 32-bit word at a word index of a frame. */
  writeWord32(frame: number, word: number, value: number): void {
    if (this.recorder !== undefined) this.recorder.onFrameAccess('write', frame);
    this.#words(frame)[word] = value >>> 0;
  }

  /** Reads a 64-bit entry at an entry index (0..511) of a frame, as a number (exact below 2^53). */
  readEntry64(frame: number, index: number): number {
    if (!(frame >= 0 && frame < this.frames)) throw new AddressOutOfRangeError(frame, this.frames);
    if (this.recorder !== undefined) this.recorder.onFrameAccess('read', frame);
    const c = this.#get(frame);
    if (c === undefined) return 0;
    return c[2 * index]! + c[2 * index + 1]! * 4294967296;
  }

  /** Writes a 64-bit entry at an entry index of a frame. */
  writeEntry64(frame: number, index: number, value: number): void {
    if (this.recorder !== undefined) this.recorder.onFrameAccess('write', frame);
    const c = this.#words(frame);
    c[2 * index] = value >>> 0;
    c[2 * index + 1] = Math.floor(value / 4294967296) >>> 0;
  }

  /** Zeroes a frame (drops its contents). */
  zero(frame: number): void {
    this.#check(frame);
    if (this.recorder !== undefined) this.recorder.onFrameAccess('zero', frame);
    this.#set(frame, undefined);
    this.#setKey(frame, 0);
  }

  /** Copies a whole frame's contents. */
  copy(to: number, from: number): void {
    this.#check(from);
    this.#check(to);
    if (this.recorder !== undefined) {
      this.recorder.onFrameAccess('copy-from', from);
      this.recorder.onFrameAccess('copy-to', to);
    }
    const src = this.#get(from);
    this.#set(to, src === undefined || src === ZERO_WORDS ? src : src.slice());
    this.#setKey(to, this.contentOf(from));
  }

  /** Copies bytes out of a frame. */
  readBytes(frame: number, offset: number, into: Uint8Array): void {
    this.#check(frame);
    if (this.recorder !== undefined) this.recorder.onFrameAccess('read', frame);
    const c = this.#get(frame);
    if (c === undefined) into.fill(0);
    else into.set(new Uint8Array(c.buffer, offset, into.length));
  }

  /** Copies bytes into a frame. */
  writeBytes(frame: number, offset: number, bytes: Uint8Array): void {
    if (this.recorder !== undefined) this.recorder.onFrameAccess('write', frame);
    const c = this.#get(frame);
    if ((c === undefined || c === ZERO_WORDS) && allZero(bytes)) {
      // Zeros into a frame that reads as zeros: it is written (populated, private), and
      // still all zeros, which the shared buffer says without a buffer of its own.
      this.#check(frame);
      this.#setKey(frame, -1);
      if (c === undefined) this.#set(frame, ZERO_WORDS);
      return;
    }
    new Uint8Array(this.#words(frame).buffer, offset, bytes.length).set(bytes);
  }

  /** Frames `owner` holds now (a domain id, or {@link HYPERVISOR_OWNER}): a scan of the owner table. */
  framesOwnedBy(owner: number): number {
    let n = 0;
    for (const chunk of this.#ownerChunks) if (chunk !== undefined) for (let i = 0; i < chunk.length; i++) if (chunk[i] === owner) n++;
    return n;
  }

  /** True when a frame holds any non-zero contents. */
  isPopulated(frame: number): boolean {
    return this.#get(frame) !== undefined;
  }

  #words(frame: number): Uint32Array {
    this.#check(frame);
    // Bytes written: the frame now holds data of its own.
    this.#setKey(frame, -1);
    let c = this.#get(frame);
    if (c === undefined || c === ZERO_WORDS) {
      c = new Uint32Array(WORDS);
      this.#set(frame, c);
    }
    return c;
  }

  #check(frame: number): void {
    if (!(frame >= 0 && frame < this.frames) || !Number.isInteger(frame)) throw new AddressOutOfRangeError(frame, this.frames);
  }
}

/** True when every byte is zero (read as words where the view is word-aligned). */
function allZero(bytes: Uint8Array): boolean {
  let i = 0;
  if ((bytes.byteOffset & 3) === 0) {
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
    for (; i < words.length; i++) if (words[i] !== 0) return false;
    i *= 4;
  }
  for (; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}
