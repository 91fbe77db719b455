import { Subject, type Observable } from 'rxjs';
import type { CpuTransitionEvent, ScheduleEvent } from './event-types.js';

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
  /** vCPU bursts on pCPUs. */
  readonly schedules$: Observable<ScheduleEvent> = this.#schedules.asObservable();
  /** Traps (faults, system calls bounced through a hypervisor). */
  readonly traps$: Observable<CpuTransitionEvent> = this.#traps.asObservable();
  /** Hypercalls. */
  readonly hypercalls$: Observable<CpuTransitionEvent> = this.#hypercalls.asObservable();
  /** VM exits. */
  readonly vmExits$: Observable<CpuTransitionEvent> = this.#vmExits.asObservable();

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
  /** Completes every stream. */
  complete(): void {
    this.#schedules.complete();
    this.#traps.complete();
    this.#hypercalls.complete();
    this.#vmExits.complete();
  }
}
