/**
 * A binary min-heap of pending events ordered by (time, sequence). The sequence number is
 * the order of scheduling, so two events at the same nanosecond run in the order they were
 * scheduled: that tie-break is what makes runs deterministic.
 *
 * Cancellation is lazy (the entry is flagged and skipped when it reaches the top), which
 * keeps `cancel` O(1) and the heap free of index bookkeeping.
 */

/**
 * A scheduled event. Returned by the scheduler so the owner can cancel it.
 *
 * @public
 */
export interface ScheduledEvent {
  /** Simulated time the event fires at, in integer nanoseconds. */
  readonly time: number;
  /** Global scheduling order; breaks ties between events at the same time. */
  readonly sequence: number;
  /** True once cancelled or fired. */
  readonly done: boolean;
}

/** @internal the mutable heap entry behind a {@link ScheduledEvent}. */
export class QueueEntry implements ScheduledEvent {
  done = false;
  /** Background work: does not by itself keep the simulation running. */
  daemon = false;
  constructor(
    public time: number,
    public sequence: number,
    public action: () => void,
  ) {}
}

/**
 * Min-heap of {@link QueueEntry} ordered by (time, sequence).
 *
 * @internal
 */
export class EventQueue {
  #heap: QueueEntry[] = [];
  #live = 0;
  #foreground = 0;

  /** Number of pending (not cancelled) events. */
  get size(): number {
    return this.#live;
  }

  /** Number of pending events that are not daemons. */
  get foreground(): number {
    return this.#foreground;
  }

  /** Adds an entry. */
  push(entry: QueueEntry): void {
    const heap = this.#heap;
    heap.push(entry);
    this.#live++;
    if (!entry.daemon) this.#foreground++;
    const time = entry.time;
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      // Sequence numbers only grow, so a parent at the same time always goes first.
      if (p.time <= time) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  /** Marks an entry cancelled; returns false if it had already fired or been cancelled. */
  cancel(entry: QueueEntry): boolean {
    if (entry.done) return false;
    entry.done = true;
    this.#live--;
    if (!entry.daemon) this.#foreground--;
    return true;
  }

  /** The earliest live entry without removing it, or undefined when empty. */
  peek(): QueueEntry | undefined {
    this.#dropCancelledTop();
    return this.#heap[0];
  }

  /** Removes and returns the earliest live entry, or undefined when empty. */
  pop(): QueueEntry | undefined {
    this.#dropCancelledTop();
    const top = this.#heap[0];
    if (top === undefined) return undefined;
    this.#removeTop();
    top.done = true;
    this.#live--;
    if (!top.daemon) this.#foreground--;
    return top;
  }

  #dropCancelledTop(): void {
    const heap = this.#heap;
    while (heap.length > 0 && heap[0]!.done) this.#removeTop();
  }

  #removeTop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    const n = heap.length;
    if (n === 0) return;
    const lastTime = last.time;
    const lastSequence = last.sequence;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let child = heap[l]!;
      if (r < n) {
        const right = heap[r]!;
        if (right.time < child.time || (right.time === child.time && right.sequence < child.sequence)) {
          c = r;
          child = right;
        }
      }
      if (lastTime < child.time || (lastTime === child.time && lastSequence < child.sequence)) break;
      heap[i] = child;
      i = c;
    }
    heap[i] = last;
  }
}
