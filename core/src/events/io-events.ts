import { Subject, type Observable } from 'rxjs';
import type { IoEvent, TimerEvent } from './event-types.js';

/**
 * Ring traffic, packets, disk requests and timers. Emit only when observed.
 *
 * @public
 */
export class IoEvents {
  readonly #io = new Subject<IoEvent>();
  readonly #timers = new Subject<TimerEvent>();
  /** Ring requests/responses, packets, disk requests. */
  readonly io$: Observable<IoEvent> = this.#io.asObservable();
  /** Alarms and timers firing. */
  readonly timers$: Observable<TimerEvent> = this.#timers.asObservable();

  get ioObserved(): boolean {
    return this.#io.observed;
  }
  get timersObserved(): boolean {
    return this.#timers.observed;
  }
  emitIo(e: IoEvent): void {
    this.#io.next(e);
  }
  emitTimer(e: TimerEvent): void {
    this.#timers.next(e);
  }
  /** Completes every stream. */
  complete(): void {
    this.#io.complete();
    this.#timers.complete();
  }
}
