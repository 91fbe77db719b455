import type { DomainObserver } from '../domain/domain-observer.js';
import type { Domain } from '../domain/domain.js';
import type { ScheduledEvent } from '../sim/event-queue.js';

/**
 * Token for the {@link TimeKeeping} extension point.
 *
 * @public
 */
export const TimeKeeping = Symbol.for('visorkit.TimeKeeping');

/**
 * Which clock an alarm follows.
 *
 * @public
 */
export type AlarmClock = 'real' | 'virtual';

/**
 * Time as a guest sees it (Xen paper §3.3): real time since machine boot, virtual time that
 * advances only while the domain runs, and wall-clock time; plus alarms on real and virtual
 * time. Alarms fire at or after their deadline, in deadline order.
 *
 * @public
 */
export interface TimeKeeping extends DomainObserver {
  /** Nanoseconds since the machine booted. */
  realTime(domain: Domain): number;
  /** Nanoseconds the domain's vCPUs have run. */
  virtualTime(domain: Domain): number;
  /** Wall-clock time in ns since the Unix epoch. */
  wallClock(domain: Domain): number;
  /**
   * Calls `fire` once `clock` reaches `deadline` (ns) for `domain`. A domain holds at most one
   * alarm per clock (Xen's pair): setting again replaces the previous one.
   */
  setAlarm(domain: Domain, clock: AlarmClock, deadline: number, fire: () => void): void;
  /** Cancels the domain's alarm on `clock`, if any. */
  cancelAlarm(domain: Domain, clock: AlarmClock): void;
}

export type { ScheduledEvent };
