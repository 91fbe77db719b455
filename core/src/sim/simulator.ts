import { InvalidArgumentError } from '../errors/visorkit-error.js';
import type { Nanoseconds } from '../units/units.js';
import { EventQueue, type ScheduledEvent } from './event-queue.js';
import { Prng } from './prng.js';

/**
 * The deterministic discrete-event kernel: one integer-nanosecond clock, one queue ordered
 * by (time, sequence), one seeded PRNG. Same inputs and seed, same run, bit for bit.
 *
 * Guest programs do not post an event per memory access; vCPUs run in bursts and post one
 * event when the burst ends, so the queue carries scheduling decisions, timers and I/O
 * completions.
 *
 * @public
 */
export class Simulator {
  #now = 0;
  #dispatched = 0;
  readonly #queue = new EventQueue();
  /** The run's root random stream; fork it per consumer. */
  readonly random: Prng;

  /** @param seed the run's seed */
  constructor(seed = 1) {
    this.random = new Prng(seed);
  }

  /** Current simulated time in nanoseconds. */
  get now(): Nanoseconds {
    // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- #now only takes integer times (event times round up, runUntil's end down); the hot path skips ns()'s check
    return this.#now as Nanoseconds;
  }

  /** Events waiting to fire, daemons included. */
  get pending(): number {
    return this.#queue.size;
  }

  /** Events waiting to fire that are not daemons: while this is 0 the simulation is idle. */
  get foreground(): number {
    return this.#queue.foreground;
  }

  /** Events fired so far. */
  get dispatched(): number {
    return this.#dispatched;
  }

  /**
   * Runs `action` after `delay` nanoseconds (rounded up to an integer; must be ≥ 0), after every
   * event already scheduled for that time. Allocates nothing: pass one long-lived function
   * where you can rather than a new closure per call.
   */
  schedule(delay: number, action: () => void): ScheduledEvent {
    if (!(delay >= 0)) throw new InvalidArgumentError('delay', `expected a non-negative number of nanoseconds, got ${delay}`);
    return this.#queue.push(this.#now + Math.ceil(delay), action, false);
  }

  /** Runs `action` at absolute time `time` (not in the past). */
  scheduleAt(time: number, action: () => void): ScheduledEvent {
    if (!(time >= this.#now)) throw new InvalidArgumentError('time', `cannot schedule at ${time} ns, before now (${this.#now} ns)`);
    return this.#queue.push(Math.ceil(time), action, false);
  }

  /**
   * Runs `action` after `delay` nanoseconds as background work — a page scanner, a balloon
   * poller, a statistics sampler. It fires like any event while something else keeps the
   * simulation going, but does not keep it going by itself: {@link run} returns once only
   * daemon events are left, as a kernel thread does not keep an idle machine busy.
   * {@link runUntil} still fires daemons due before its time. A daemon that reschedules
   * itself should do so with `scheduleDaemon` again.
   */
  scheduleDaemon(delay: number, action: () => void): ScheduledEvent {
    if (!(delay >= 0)) throw new InvalidArgumentError('delay', `expected a non-negative number of nanoseconds, got ${delay}`);
    return this.#queue.push(this.#now + Math.ceil(delay), action, true);
  }

  /** Cancels a pending event. Returns false if it already fired or was cancelled. */
  cancel(event: ScheduledEvent): boolean {
    return this.#queue.cancel(event);
  }

  /** True while `event` has neither fired (its action has started) nor been cancelled. */
  isPending(event: ScheduledEvent): boolean {
    return this.#queue.isPending(event);
  }

  /** Fires the next event, if any. Returns false when the queue is empty. */
  step(): boolean {
    const queue = this.#queue;
    const action = queue.pop();
    if (action === undefined) return false;
    this.#now = queue.poppedTime;
    this.#dispatched++;
    action();
    return true;
  }

  /** Fires every event at or before `time`, then sets the clock to `time`. */
  runUntil(time: number): void {
    const queue = this.#queue;
    while (queue.size > 0 && queue.peekTime() <= time) this.step();
    if (time > this.#now) this.#now = Math.floor(time);
  }

  /**
   * Fires events until none but daemons are left ({@link scheduleDaemon}) or `stop()` returns
   * true (checked after each event).
   */
  run(stop?: () => boolean): void {
    const queue = this.#queue;
    while (queue.foreground > 0 && this.step()) {
      if (stop !== undefined && stop()) break;
    }
  }
}
