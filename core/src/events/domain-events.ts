import { Subject, type Observable } from 'rxjs';
import type { LifecycleEvent } from './event-types.js';

/**
 * Domain lifecycle stream. Emitters check `observed` before building a payload.
 *
 * @public
 */
export class DomainEvents {
  readonly #lifecycle = new Subject<LifecycleEvent>();
  /** Every lifecycle transition. */
  readonly lifecycle$: Observable<LifecycleEvent> = this.#lifecycle.asObservable();

  /** True when someone listens (check before building an event). */
  get lifecycleObserved(): boolean {
    return this.#lifecycle.observed;
  }
  /** Emits a lifecycle event (call only when observed). */
  emitLifecycle(event: LifecycleEvent): void {
    this.#lifecycle.next(event);
  }
  /** Completes the stream. */
  complete(): void {
    this.#lifecycle.complete();
  }
}
