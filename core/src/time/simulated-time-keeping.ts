import { inject, injectable } from 'inversify';
import type { Domain } from '../domain/domain.js';
import { IoEvents } from '../events/io-events.js';
import { Machine } from '../machine/machine.js';
import type { ScheduledEvent } from '../sim/event-queue.js';
import { Simulator } from '../sim/simulator.js';
import type { AlarmClock, TimeKeeping } from './time-keeping.js';

interface Alarm {
  deadline: number;
  fire: () => void;
  event: ScheduledEvent | undefined;
}

/**
 * The reference TimeKeeping, which platforms extend: real time is the machine clock since boot, virtual time the domain's
 * accumulated run time, wall-clock time a fixed boot date (1 January of the profile's year)
 * plus real time. A virtual-time alarm is checked at the earliest real time it could be due
 * and re-armed until the domain has really run long enough.
 *
 * Injectable as it is: a plugin whose time is the reference behaviour binds
 * `bind(TimeKeeping).to(SimulatedTimeKeeping).inSingletonScope()`; one that charges for
 * reading the clock extends it.
 *
 * @public
 */
@injectable()
export class SimulatedTimeKeeping implements TimeKeeping {
  readonly #bootEpochNs: number;
  readonly #alarms = new Map<number, Alarm>();
  readonly #machine: Machine;

  constructor(
    @inject(Simulator) readonly sim: Simulator,
    @inject(Machine) machine: Machine,
    @inject(IoEvents) readonly events: IoEvents,
  ) {
    this.#machine = machine;
    this.#bootEpochNs = Date.UTC(machine.profile.year, 0, 1) * 1e6;
  }

  realTime(): number {
    return this.sim.now;
  }

  virtualTime(domain: Domain): number {
    let t = 0;
    for (const v of domain.vcpus) t += v.runtimeNs;
    return t;
  }

  wallClock(): number {
    return this.#bootEpochNs + this.sim.now;
  }

  setAlarm(domain: Domain, clock: AlarmClock, deadline: number, fire: () => void): void {
    this.cancelAlarm(domain, clock);
    const alarm: Alarm = { deadline, fire, event: undefined };
    this.#alarms.set(this.#key(domain, clock), alarm);
    this.#arm(domain, clock, alarm);
  }

  cancelAlarm(domain: Domain, clock: AlarmClock): void {
    const key = this.#key(domain, clock);
    const alarm = this.#alarms.get(key);
    if (alarm?.event !== undefined) this.sim.cancel(alarm.event);
    this.#alarms.delete(key);
  }

  domainDestroyed(domain: Domain): void {
    this.cancelAlarm(domain, 'real');
    this.cancelAlarm(domain, 'virtual');
  }

  #arm(domain: Domain, clock: AlarmClock, alarm: Alarm): void {
    const now = this.sim.now;
    const remaining = clock === 'real' ? alarm.deadline - now : alarm.deadline - this.virtualTime(domain);
    if (remaining <= 0) {
      alarm.event = this.sim.schedule(0, () => this.#fire(domain, clock, alarm));
      return;
    }
    // Virtual time advances at most as fast as real time, so check again no earlier than that.
    alarm.event = this.sim.schedule(remaining, () => {
      if (clock === 'virtual' && this.virtualTime(domain) < alarm.deadline) this.#arm(domain, clock, alarm);
      else this.#fire(domain, clock, alarm);
    });
  }

  #fire(domain: Domain, clock: AlarmClock, alarm: Alarm): void {
    const key = this.#key(domain, clock);
    if (this.#alarms.get(key) !== alarm) return;
    this.#alarms.delete(key);
    if (this.events.timersObserved) this.events.emitTimer({ time: this.sim.now, domainId: domain.id, clock });
    const recorder = this.#machine.recorder;
    if (recorder !== undefined) recorder.onTimer(domain.id, clock, alarm.deadline);
    alarm.fire();
  }

  #key(domain: Domain, clock: AlarmClock): number {
    return domain.id * 2 + (clock === 'real' ? 0 : 1);
  }
}
