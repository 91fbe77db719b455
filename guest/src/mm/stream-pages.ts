import { InvalidArgumentError, PAGE_SIZE as PAGE, gfn, type Vcpu } from '@visorkit/core';
import type { PhysicalPages } from './address-space.js';

/**
 * The guest frames under one kernel byte-stream buffer (a socket's send or receive queue):
 * bytes are appended at the tail and consumed from the head, each stream page lives in a
 * frame of its own taken from the kernel's allocator when the stream first reaches it and
 * given back once every byte in it is consumed — as Linux allocates skb data pages and frees
 * them when the data is acknowledged or read. The allocator recycles freed frames last in,
 * first out (the per-CPU hot-page lists), so a busy stream keeps rewriting a few hot frames.
 *
 * Appending stores into each frame the bytes reach through the platform's paging point
 * (`writeFrame` for a copy by the kernel; for a device's DMA, the machine frame taken with
 * write intent, as a back end takes it), so a dirty log sees the buffer change. At most `capacity` bytes are held at once; a ring of
 * `capacity / 4096 + 1` slots (every page a span of that many bytes can touch) maps a stream
 * page to its frame, so neither appending nor consuming allocates.
 *
 * @public
 */
export class StreamPages {
  /** Frame of each stream page held (slot = page mod length), -1 for none. */
  readonly #slots: Int32Array;
  /** Slots an {@link append} in progress filled (to undo it when memory runs out). */
  readonly #fresh: Uint8Array;
  /** Stream offsets: first byte still held, and one past the last appended. */
  #head = 0;
  #tail = 0;

  constructor(readonly capacity: number) {
    if (!(capacity > 0) || !Number.isInteger(capacity))
      throw new InvalidArgumentError('capacity', `a stream buffer holds a positive whole number of bytes, got ${capacity}`);
    this.#slots = new Int32Array(Math.ceil(capacity / PAGE) + 1).fill(-1);
    this.#fresh = new Uint8Array(this.#slots.length);
  }

  /** Bytes held (appended and not yet consumed). */
  get held(): number {
    return this.#tail - this.#head;
  }

  /** Frames held now. */
  get frames(): number {
    let n = 0;
    for (const f of this.#slots) if (f >= 0) n++;
    return n;
  }

  /**
   * Appends `bytes` (the caller checked they fit in {@link capacity}), writing each frame they
   * reach — by the kernel on `vcpu`, or, with `device`, by a device on its behalf. All or
   * nothing: false, with nothing appended, when a frame could not be had (memory exhausted).
   */
  append(vcpu: Vcpu, pages: PhysicalPages, bytes: number, device: boolean): boolean {
    if (bytes <= 0) return true;
    if (this.#tail - this.#head + bytes > this.capacity) {
      throw new InvalidArgumentError('bytes', `${bytes} bytes do not fit a stream buffer holding ${this.#tail - this.#head} of ${this.capacity}`);
    }
    const slots = this.#slots;
    const n = slots.length;
    const first = Math.floor(this.#tail / PAGE);
    const last = Math.floor((this.#tail + bytes - 1) / PAGE);
    // Take the new frames first, so that running out of memory leaves the stream as it was.
    const fresh = this.#fresh;
    for (let page = first; page <= last; page++) {
      const slot = page % n;
      if (slots[slot]! >= 0) continue;
      const frame = pages.frames.allocate();
      if (frame < 0) {
        for (let q = first; q < page; q++) this.#undo(pages, q % n);
        return false;
      }
      slots[slot] = frame;
      fresh[slot] = 1;
    }
    for (let page = first; page <= last; page++) fresh[page % n] = 0;
    const memory = pages.hv.memory;
    for (let page = first; page <= last; page++) {
      const frame = gfn(slots[page % n]!);
      if (device) {
        // As a back end DMAs into a guest page: a frame never used yet is backed (zeroed) first.
        if (memory.machineFrame(vcpu.domain, frame, 'read') < 0) memory.zeroFrame(vcpu, frame);
        memory.machineFrame(vcpu.domain, frame, 'write');
      } else memory.writeFrame(vcpu, frame);
    }
    this.#tail += bytes;
    return true;
  }

  /** Gives back the frame a failed {@link append} took for `slot`, if it took one. */
  #undo(pages: PhysicalPages, slot: number): void {
    if (this.#fresh[slot] === 0) return;
    this.#fresh[slot] = 0;
    pages.frames.release(this.#slots[slot]!);
    this.#slots[slot] = -1;
  }

  /** Consumes the stream up to offset `position` (no further than the tail): frames wholly consumed go back. */
  consumeTo(pages: PhysicalPages, position: number): void {
    const to = Math.min(position, this.#tail);
    if (to <= this.#head) return;
    const slots = this.#slots;
    const n = slots.length;
    // Pages entirely before `to` are done; the page `to` falls in stays while bytes remain in it.
    const done = to === this.#tail ? Math.ceil(to / PAGE) : Math.floor(to / PAGE);
    for (let page = Math.floor(this.#head / PAGE); page < done; page++) {
      const slot = page % n;
      const f = slots[slot]!;
      if (f >= 0) {
        pages.frames.release(f);
        slots[slot] = -1;
      }
    }
    this.#head = to;
  }

  /** Consumes `bytes` more from the head. */
  consume(pages: PhysicalPages, bytes: number): void {
    this.consumeTo(pages, this.#head + bytes);
  }

  /** Gives every frame back (the buffer is discarded: a socket closed or reset). */
  clear(pages: PhysicalPages): void {
    this.consumeTo(pages, this.#tail);
  }
}
