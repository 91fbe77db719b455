import { Subject, type Observable } from 'rxjs';
import type { GuestCrashEvent } from './event-types.js';

/**
 * What guest OS models report about the programs they run. Emit only when observed.
 *
 * @public
 */
export class GuestEvents {
  readonly #crashes = new Subject<GuestCrashEvent>();
  /** Guest processes that crashed (a program bug: the process ends, its domain carries on). */
  readonly crashes$: Observable<GuestCrashEvent> = this.#crashes.asObservable();

  /** True when someone listens (check before building an event). */
  get crashesObserved(): boolean {
    return this.#crashes.observed;
  }
  /** Emits a crash (call only when observed). */
  emitCrash(e: GuestCrashEvent): void {
    this.#crashes.next(e);
  }
  /** Completes the stream. */
  complete(): void {
    this.#crashes.complete();
  }
}
