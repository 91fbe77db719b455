/** Slots of a new set's table (a power of two). */
const INITIAL_SLOTS = 64;

/**
 * A set of page numbers (non-negative, below 2^53) for a hot path that adds and tests a page
 * per page touched and empties the set at every context switch: an open-addressing table in
 * typed arrays whose slots carry the generation they were filled in, so {@link clear} is one
 * increment and no operation allocates once the table has grown to the working set. Iterates
 * in insertion order, as a `Set` does.
 *
 * @public
 */
export class PageSet {
  #keys = new Float64Array(INITIAL_SLOTS);
  /** Generation each slot was filled in; a slot of an older generation is empty. */
  #stamps = new Uint32Array(INITIAL_SLOTS);
  #generation = 1;
  /** Members in insertion order (the first {@link size} entries). */
  #order = new Float64Array(INITIAL_SLOTS / 2);
  #size = 0;

  /** Members. */
  get size(): number {
    return this.#size;
  }

  /** True when `page` is a member. */
  has(page: number): boolean {
    const keys = this.#keys;
    const stamps = this.#stamps;
    const mask = keys.length - 1;
    const g = this.#generation;
    for (let i = hash(page) & mask; stamps[i] === g; i = (i + 1) & mask) if (keys[i] === page) return true;
    return false;
  }

  /** Adds `page` (nothing if already a member). */
  add(page: number): this {
    let keys = this.#keys;
    let stamps = this.#stamps;
    let mask = keys.length - 1;
    const g = this.#generation;
    let i = hash(page) & mask;
    for (; stamps[i] === g; i = (i + 1) & mask) if (keys[i] === page) return this;
    if (this.#size === this.#order.length) {
      this.#grow();
      keys = this.#keys;
      stamps = this.#stamps;
      mask = keys.length - 1;
      for (i = hash(page) & mask; stamps[i] === 1; i = (i + 1) & mask);
    }
    keys[i] = page;
    stamps[i] = this.#generation;
    this.#order[this.#size++] = page;
    return this;
  }

  /** Empties the set. */
  clear(): void {
    this.#size = 0;
    this.#generation++;
    // A stamp that wrapped round could read as current: start the stamps afresh.
    if (this.#generation === 0xffffffff) {
      this.#stamps.fill(0);
      this.#generation = 1;
    }
  }

  /** The members in the order they were added. */
  *[Symbol.iterator](): IterableIterator<number> {
    for (let i = 0; i < this.#size; i++) yield this.#order[i]!;
  }

  /** Doubles the table (kept at most half full) and the order list, re-entering the members. */
  #grow(): void {
    const order = new Float64Array(this.#order.length * 2);
    order.set(this.#order);
    this.#order = order;
    const slots = order.length * 2;
    const keys = new Float64Array(slots);
    const stamps = new Uint32Array(slots);
    const mask = slots - 1;
    for (let n = 0; n < this.#size; n++) {
      const page = order[n]!;
      let i = hash(page) & mask;
      while (stamps[i] === 1) i = (i + 1) & mask;
      keys[i] = page;
      stamps[i] = 1;
    }
    this.#keys = keys;
    this.#stamps = stamps;
    this.#generation = 1;
  }
}

/** Mixes a page number's low and high 32 bits (Fibonacci hashing). */
function hash(page: number): number {
  return Math.imul((page | 0) ^ ((page / 4294967296) | 0), 0x9e3779b1) >>> 7;
}
