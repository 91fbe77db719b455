import type { Vcpu } from '@visorkit/core';

/**
 * Credit priorities in the order a run queue serves them (sched_credit.c's CSCHED_PRI_TS_BOOST,
 * _UNDER and _OVER, which Xen numbers 0, -1, -2: higher first).
 *
 * @internal
 */
export const CreditPriority = { Boost: 0, Under: 1, Over: 2 } as const;

/**
 * See {@link CreditPriority}.
 *
 * @internal
 */
export type CreditPriority = (typeof CreditPriority)[keyof typeof CreditPriority];

/**
 * What a run queue needs of a vCPU's credit state: its priority and credit, and the links of
 * the intrusive list it sits on (so removal — a steal, a park, a destroy — is O(1) and no
 * queue operation allocates).
 *
 * @internal
 */
export interface CreditQueueEntry {
  readonly vcpu: Vcpu;
  priority: CreditPriority;
  credit: number;
  /** pCPU whose run queue holds it, or -1. */
  queue: number;
  /** Priority class it was queued in (its priority may change while queued). */
  queuedAs: CreditPriority;
  prev: CreditQueueEntry | undefined;
  next: CreditQueueEntry | undefined;
}

/**
 * One pCPU's run queue of the credit scheduler: BOOST, then UNDER, then OVER. BOOST and
 * UNDER are first come first served, as in Xen (`__runq_insert` puts a vCPU after every one of
 * its priority). OVER is kept in order of credit, least overdrawn first — where Xen
 * round-robins, which hands every overdrawn vCPU an equal turn whatever its weight.
 *
 * @internal
 */
export class CreditRunQueue {
  readonly #heads: (CreditQueueEntry | undefined)[] = [undefined, undefined, undefined];
  readonly #tails: (CreditQueueEntry | undefined)[] = [undefined, undefined, undefined];
  #size = 0;

  constructor(readonly pcpu: number) {}

  /** Number of queued vCPUs. */
  get size(): number {
    return this.#size;
  }

  /** The vCPU that would run next (highest priority, first in its class). */
  first(): CreditQueueEntry | undefined {
    return this.#heads[0] ?? this.#heads[1] ?? this.#heads[2];
  }

  /** First queued vCPU of a priority strictly better than `than` (what a peer may steal). */
  firstBetterThan(than: number): CreditQueueEntry | undefined {
    for (let p = 0; p < than && p < 3; p++) if (this.#heads[p] !== undefined) return this.#heads[p];
    return undefined;
  }

  /**
   * Queues `e` in its priority class: at the tail (or, for OVER, after every vCPU with as
   * much credit), or at the head with `front` (a vCPU resuming the slice it was given).
   */
  insert(e: CreditQueueEntry, front = false): void {
    const c = e.priority;
    e.queue = this.pcpu;
    e.queuedAs = c;
    this.#size++;
    let after: CreditQueueEntry | undefined;
    if (front) after = undefined;
    else if (c !== CreditPriority.Over) after = this.#tails[c];
    else {
      after = this.#tails[c];
      while (after !== undefined && after.credit < e.credit) after = after.prev;
    }
    e.prev = after;
    if (after === undefined) {
      e.next = this.#heads[c];
      this.#heads[c] = e;
    } else {
      e.next = after.next;
      after.next = e;
    }
    if (e.next === undefined) this.#tails[c] = e;
    else e.next.prev = e;
  }

  /** Takes `e` off this queue. */
  remove(e: CreditQueueEntry): void {
    const c = e.queuedAs;
    if (e.prev === undefined) this.#heads[c] = e.next;
    else e.prev.next = e.next;
    if (e.next === undefined) this.#tails[c] = e.prev;
    else e.next.prev = e.prev;
    e.prev = undefined;
    e.next = undefined;
    e.queue = -1;
    this.#size--;
  }

  /** Empties the queue into `into`, in the order it would have served them. */
  drainInto(into: CreditQueueEntry[]): void {
    for (let e = this.first(); e !== undefined; e = this.first()) {
      this.remove(e);
      into.push(e);
    }
  }
}
