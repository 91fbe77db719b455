import { Subject, type Observable } from 'rxjs';
import type { CpuTransitionEvent, ScheduleEvent, TransitionEvent } from './event-types.js';

/**
 * Scheduling decisions, traps, hypercalls and VM exits. Each stream costs one property read
 * on the hot path when nobody subscribes: emit only `if (events.xObserved)`.
 *
 * @public
 */
export class CpuEvents {
  readonly #schedules = new Subject<ScheduleEvent>();
  readonly #traps = new Subject<CpuTransitionEvent>();
  readonly #hypercalls = new Subject<CpuTransitionEvent>();
  readonly #vmExits = new Subject<CpuTransitionEvent>();
  readonly #transitions = new Subject<TransitionEvent>();
  /** vCPU bursts on pCPUs. */
  readonly schedules$: Observable<ScheduleEvent> = this.#schedules.asObservable();
  /** Traps (faults, system calls bounced through a hypervisor). */
  readonly traps$: Observable<CpuTransitionEvent> = this.#traps.asObservable();
  /** Hypercalls. */
  readonly hypercalls$: Observable<CpuTransitionEvent> = this.#hypercalls.asObservable();
  /** VM exits. */
  readonly vmExits$: Observable<CpuTransitionEvent> = this.#vmExits.asObservable();
  /** Every guest → hypervisor transition (hypercalls, traps and VM exits together), with its kind. */
  readonly transitions$: Observable<TransitionEvent> = this.#transitions.asObservable();

  get schedulesObserved(): boolean {
    return this.#schedules.observed;
  }
  get trapsObserved(): boolean {
    return this.#traps.observed;
  }
  get hypercallsObserved(): boolean {
    return this.#hypercalls.observed;
  }
  get vmExitsObserved(): boolean {
    return this.#vmExits.observed;
  }
  get transitionsObserved(): boolean {
    return this.#transitions.observed;
  }
  emitSchedule(e: ScheduleEvent): void {
    this.#schedules.next(e);
  }
  emitTrap(e: CpuTransitionEvent): void {
    this.#traps.next(e);
  }
  emitHypercall(e: CpuTransitionEvent): void {
    this.#hypercalls.next(e);
  }
  emitVmExit(e: CpuTransitionEvent): void {
    this.#vmExits.next(e);
  }
  emitTransition(e: TransitionEvent): void {
    this.#transitions.next(e);
  }
  /** Completes every stream. */
  complete(): void {
    this.#schedules.complete();
    this.#traps.complete();
    this.#hypercalls.complete();
    this.#vmExits.complete();
    this.#transitions.complete();
  }
}
