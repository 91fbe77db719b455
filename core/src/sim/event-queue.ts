/**
 * The pending events of a simulation, ordered by (time, sequence). The sequence number is the
 * order of scheduling, so two events at the same nanosecond run in the order they were
 * scheduled: that tie-break is what makes runs deterministic.
 *
 * Layout, chosen because this queue is the simulator's innermost loop (`events-per-s`):
 * - a 4-ary min-heap whose keys live in a `Float64Array` (times) beside an `Int32Array` of
 *   record slots, so a sift compares contiguous numbers instead of chasing one object per
 *   event, and a heap of n entries is log4(n) levels deep, half a binary heap's;
 * - event records (sequence, generation, state, action) in parallel arrays indexed by slot,
 *   recycled through a free-list: scheduling and firing allocate nothing;
 * - a handle is a plain number, `generation × 2^26 + slot`; a record's generation moves on
 *   when its event fires or is cancelled, so a stale handle never matches a reused slot.
 *   A slot whose generation reaches the limit (2^27 − 1) is retired, not reused, so handles
 *   stay unique for the queue's whole life (exact, at the cost of one slot per 134 M reuses).
 *
 * Invariants: sequence numbers only grow, so a newly pushed entry sifts up past entries with a
 * greater time only (one comparison per level); every heap entry's record is pending or
 * cancelled, and every slot is in the heap, on the free-list or retired. Cancellation is lazy:
 * the record is flagged (and its action dropped) and the entry is discarded when it reaches
 * the top, which keeps `cancel` O(1) and the heap free of position bookkeeping.
 */
import { VisorkitError } from '../errors/visorkit-error.js';

/**
 * A scheduled event: the handle {@link Simulator.schedule} returns, to pass to
 * {@link Simulator.cancel} or {@link Simulator.isPending}. A number, so that scheduling
 * allocates nothing; it identifies one event of one simulator for the simulator's whole life.
 *
 * @public
 */
export type ScheduledEvent = number & { readonly __brand: 'ScheduledEvent' };

/**
 * More events are pending at once than the queue can address (2^26, about 67 million; a
 * cancelled event counts until its time comes): a model that schedules without ever letting
 * events fire, or that re-arms timers far ahead and cancels them.
 *
 * @public
 */
export class EventQueueFullError extends VisorkitError {
  /** The number of events the queue can hold pending at once. */
  readonly capacity: number;

  /** @param capacity the number of events the queue can hold pending at once */
  constructor(capacity: number) {
    super(
      'EVENT_QUEUE_FULL',
      `the event queue is full: ${capacity} events are pending (a cancelled event keeps its place until its time comes); check for a model that schedules events it never lets fire, or re-arms timers far ahead and cancels them`,
    );
    this.capacity = capacity;
  }
}

/** Slots addressable by a handle (its low 26 bits, as a number: handles exceed 32 bits). */
const SLOT_RANGE = 2 ** 26;
/** Generations a slot goes through before it is retired; keeps handles below 2^53. */
const GENERATION_LIMIT = 2 ** 27 - 1;
const INITIAL_CAPACITY = 64;

// Record states.
const FREE = 0;
const FOREGROUND = 1;
const DAEMON = 2;
const CANCELLED = 3;

/** Limits of an {@link EventQueue}, lowered by tests to reach them. @internal */
export interface EventQueueLimits {
  /** Most events pending at once (at most and by default 2^26). */
  readonly maxSlots?: number;
  /** Generations per slot before it is retired (at most and by default 2^27 − 1). */
  readonly maxGeneration?: number;
}

/**
 * Min-heap of events ordered by (time, sequence), with recycled records and number handles.
 *
 * @internal
 */
export class EventQueue {
  // The heap: position → (time, slot). Position 0 is the earliest entry.
  #heapTime = new Float64Array(INITIAL_CAPACITY);
  #heapSlot = new Int32Array(INITIAL_CAPACITY);
  #length = 0;
  // The records, by slot.
  #sequenceOf = new Float64Array(INITIAL_CAPACITY);
  #generationOf = new Int32Array(INITIAL_CAPACITY);
  #stateOf = new Uint8Array(INITIAL_CAPACITY);
  readonly #actionOf: ((() => void) | undefined)[] = [];
  #free = new Int32Array(INITIAL_CAPACITY);
  #freeCount = 0;
  /** Slots ever used (the free-list, the heap and retired slots are all below this). */
  #slots = 0;
  #capacity = INITIAL_CAPACITY;
  #sequence = 0;
  #live = 0;
  #foreground = 0;
  readonly #maxSlots: number;
  readonly #maxGeneration: number;

  /** Time of the entry the last {@link pop} returned. */
  poppedTime = 0;

  /** @param limits lower limits, for tests that must reach them */
  constructor(limits: EventQueueLimits = {}) {
    this.#maxSlots = Math.min(limits.maxSlots ?? SLOT_RANGE, SLOT_RANGE);
    this.#maxGeneration = Math.min(limits.maxGeneration ?? GENERATION_LIMIT, GENERATION_LIMIT);
  }

  /** Number of pending (not cancelled) events. */
  get size(): number {
    return this.#live;
  }

  /** Number of pending events that are not daemons. */
  get foreground(): number {
    return this.#foreground;
  }

  /** Queues `action` at `time` after every event already queued at that time; returns its handle. */
  push(time: number, action: () => void, daemon: boolean): ScheduledEvent {
    const slot = this.#freeCount > 0 ? this.#free[--this.#freeCount]! : this.#newSlot();
    this.#sequenceOf[slot] = this.#sequence++;
    this.#stateOf[slot] = daemon ? DAEMON : FOREGROUND;
    this.#actionOf[slot] = action;
    this.#live++;
    if (!daemon) this.#foreground++;
    const heapTime = this.#heapTime;
    const heapSlot = this.#heapSlot;
    let i = this.#length++;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const parentTime = heapTime[parent]!;
      // Sequence numbers only grow, so a parent at the same time always goes first.
      if (parentTime <= time) break;
      heapTime[i] = parentTime;
      heapSlot[i] = heapSlot[parent]!;
      i = parent;
    }
    heapTime[i] = time;
    heapSlot[i] = slot;
    // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- the one place handles are made
    return (this.#generationOf[slot]! * SLOT_RANGE + slot) as ScheduledEvent;
  }

  /** Cancels a pending event; returns false if it had already fired or been cancelled. */
  cancel(event: ScheduledEvent): boolean {
    const slot = this.#pendingSlot(event);
    if (slot < 0) return false;
    if (this.#stateOf[slot] === FOREGROUND) this.#foreground--;
    this.#live--;
    this.#stateOf[slot] = CANCELLED;
    this.#actionOf[slot] = undefined;
    this.#generationOf[slot]!++;
    return true;
  }

  /** True while `event` has neither fired nor been cancelled. */
  isPending(event: ScheduledEvent): boolean {
    return this.#pendingSlot(event) >= 0;
  }

  /** Time of the earliest pending event; call only while {@link size} \> 0. */
  peekTime(): number {
    this.#dropCancelledTop();
    return this.#heapTime[0]!;
  }

  /**
   * Removes the earliest pending event and returns its action (its time is then
   * {@link poppedTime}), or undefined when nothing is pending.
   */
  pop(): (() => void) | undefined {
    this.#dropCancelledTop();
    if (this.#length === 0) return undefined;
    const slot = this.#heapSlot[0]!;
    this.poppedTime = this.#heapTime[0]!;
    this.#removeTop();
    if (this.#stateOf[slot] === FOREGROUND) this.#foreground--;
    this.#live--;
    const action = this.#actionOf[slot];
    this.#actionOf[slot] = undefined;
    this.#generationOf[slot]!++;
    this.#release(slot);
    return action;
  }

  /** The slot of `event` if it is pending, else -1. */
  #pendingSlot(event: number): number {
    const slot = event % SLOT_RANGE;
    if (!(slot >= 0 && slot < this.#slots)) return -1;
    const state = this.#stateOf[slot];
    if (state !== FOREGROUND && state !== DAEMON) return -1;
    return this.#generationOf[slot] === (event - slot) / SLOT_RANGE ? slot : -1;
  }

  #dropCancelledTop(): void {
    while (this.#length > 0) {
      const slot = this.#heapSlot[0]!;
      if (this.#stateOf[slot] !== CANCELLED) return;
      this.#removeTop();
      this.#release(slot);
    }
  }

  /** Returns a slot whose event has left the heap to the free-list, unless it is worn out. */
  #release(slot: number): void {
    this.#stateOf[slot] = FREE;
    if (this.#generationOf[slot]! < this.#maxGeneration) this.#free[this.#freeCount++] = slot;
  }

  /** Replaces the top with the last entry and sifts it down. */
  #removeTop(): void {
    const n = --this.#length;
    if (n === 0) return;
    const heapTime = this.#heapTime;
    const heapSlot = this.#heapSlot;
    const sequenceOf = this.#sequenceOf;
    const lastTime = heapTime[n]!;
    const lastSlot = heapSlot[n]!;
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      let c = first;
      let childTime = heapTime[first]!;
      if (first + 3 < n) {
        // Four children (all but the last parent): a two-round tournament, 3 comparisons whose
        // first two do not depend on each other, instead of a chain of 3.
        const t1 = heapTime[first + 1]!;
        if (t1 < childTime || (t1 === childTime && sequenceOf[heapSlot[first + 1]!]! < sequenceOf[heapSlot[first]!]!)) {
          c = first + 1;
          childTime = t1;
        }
        let d = first + 2;
        let otherTime = heapTime[d]!;
        const t3 = heapTime[first + 3]!;
        if (t3 < otherTime || (t3 === otherTime && sequenceOf[heapSlot[first + 3]!]! < sequenceOf[heapSlot[d]!]!)) {
          d = first + 3;
          otherTime = t3;
        }
        if (otherTime < childTime || (otherTime === childTime && sequenceOf[heapSlot[d]!]! < sequenceOf[heapSlot[c]!]!)) {
          c = d;
          childTime = otherTime;
        }
      } else {
        for (let k = first + 1; k < n; k++) {
          const t = heapTime[k]!;
          if (t < childTime || (t === childTime && sequenceOf[heapSlot[k]!]! < sequenceOf[heapSlot[c]!]!)) {
            c = k;
            childTime = t;
          }
        }
      }
      if (lastTime < childTime || (lastTime === childTime && sequenceOf[lastSlot]! < sequenceOf[heapSlot[c]!]!)) break;
      heapTime[i] = childTime;
      heapSlot[i] = heapSlot[c]!;
      i = c;
    }
    heapTime[i] = lastTime;
    heapSlot[i] = lastSlot;
  }

  /** A never-used slot, growing the arrays (doubling) when they are full. */
  #newSlot(): number {
    const slot = this.#slots;
    if (slot >= this.#maxSlots) throw new EventQueueFullError(this.#maxSlots);
    if (slot === this.#capacity) this.#grow(Math.min(this.#capacity * 2, this.#maxSlots));
    this.#slots++;
    this.#actionOf.push(undefined);
    return slot;
  }

  #grow(capacity: number): void {
    this.#capacity = capacity;
    this.#heapTime = grown(this.#heapTime, new Float64Array(capacity));
    this.#heapSlot = grown(this.#heapSlot, new Int32Array(capacity));
    this.#sequenceOf = grown(this.#sequenceOf, new Float64Array(capacity));
    this.#generationOf = grown(this.#generationOf, new Int32Array(capacity));
    this.#stateOf = grown(this.#stateOf, new Uint8Array(capacity));
    this.#free = grown(this.#free, new Int32Array(capacity));
  }
}

function grown<T extends Float64Array | Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
