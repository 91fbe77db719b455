import fc from 'fast-check';
import type { AlarmClock, Domain } from '@visorkit/core';
import type { Contract } from '../contract.js';
import { checkProperty } from '../kit/check-property.js';
import type { KitSettings } from '../kit/kit-settings.js';
import { blockAndWake, computeForever, domainNames, machineUnderTest } from '../kit/machine-under-test.js';
import { machinesFor, resized } from '../kit/profiles.js';

/**
 * How late a real-time alarm may fire: a timer is programmed to the nanosecond, not to a tick.
 *
 * @public
 */
export const ALARM_PRECISION_NS = 1000;

interface TimedDomain {
  readonly duty?: { readonly runMs: number; readonly sleepMs: number } | undefined;
  /** Paused over [at, at + forMs) ms, if set. */
  readonly pause?: { readonly at: number; readonly forMs: number } | undefined;
}

const timed: fc.Arbitrary<TimedDomain> = fc.record({
  duty: fc.option(fc.record({ runMs: fc.integer({ min: 1, max: 9 }), sleepMs: fc.constantFrom(0.3, 1, 2.5, 7) }), { nil: undefined }),
  pause: fc.option(fc.record({ at: fc.integer({ min: 10, max: 200 }), forMs: fc.integer({ min: 5, max: 80 }) }), { nil: undefined }),
});

function start(hv: ReturnType<typeof machineUnderTest>['hv'], ds: Domain[], specs: readonly TimedDomain[]): void {
  ds.forEach((d, i) => {
    const duty = specs[i]!.duty;
    hv.start(d, duty === undefined ? () => computeForever : blockAndWake(hv, duty.runMs * 1e6, duty.sleepMs * 1e6));
    const pause = specs[i]!.pause;
    if (pause !== undefined) {
      hv.sim.scheduleAt(pause.at * 1e6, () => d.state === 'running' && hv.pause(d));
      hv.sim.scheduleAt((pause.at + pause.forMs) * 1e6, () => d.state === 'paused' && hv.unpause(d));
    }
  });
}

/**
 * Time contracts: generated domains that share pCPUs, block, wake and pause; judged on the recorded bursts.
 *
 * @public
 */
export function timeContracts(settings: KitSettings): readonly Contract[] {
  return [
    {
      contract: 'time/virtual-time-follows-what-ran',
      sentence:
        'virtual time is exactly the time the domain ran (not while descheduled, blocked or paused); real time is the machine clock; wall-clock time keeps its offset',
      check(compose, name) {
        const machines = machinesFor(compose).length;
        const scenario = fc.record({
          machine: fc.integer({ min: 0, max: machines - 1 }),
          cores: fc.integer({ min: 1, max: 2 }),
          domains: fc.array(timed, { minLength: 1, maxLength: 6 }),
          samples: fc.array(fc.integer({ min: 1, max: 400_000_000 }), { minLength: 3, maxLength: 12 }),
        });
        checkProperty(this.contract, name, settings, scenario, 10, (s) => {
          const { hv, rec } = machineUnderTest(compose, resized(machinesFor(compose)[s.machine]!, s.cores), settings);
          const ds = domainNames(s.domains.length).map((n) => hv.createDomain({ name: n, memoryMiB: 4 }));
          start(hv, ds, s.domains);
          let offset: number | undefined;
          let lastReal = -1;
          for (const t of [...s.samples].sort((a, b) => a - b)) {
            hv.runUntil(t);
            for (const d of ds) {
              const ran = rec.runTimeOf(d.id);
              const longest = Math.max(0, ...rec.runs.filter((r) => r.domain === d.id).map((r) => r.durationNs));
              const virtual = hv.time.virtualTime(d);
              // Bursts are accounted when they are dispatched; a plugin may count the one in flight pro rata.
              if (!(virtual <= ran + 1000 && virtual >= ran - longest - 1000)) {
                return `at ${hv.now} ns, '${d.name}' had virtual time ${virtual} ns but the machine ran it for ${ran} ns (${s.domains.length} domain(s) on ${s.cores} pCPU(s); it ${s.domains[ds.indexOf(d)]!.duty === undefined ? 'computes' : 'blocks and wakes'}${s.domains[ds.indexOf(d)]!.pause === undefined ? '' : ', and was paused a while'})`;
              }
              const real = hv.time.realTime(d);
              if (Math.abs(real - hv.now) > 1000 || real < lastReal) return `at ${hv.now} ns '${d.name}' read real time ${real} ns`;
              lastReal = real;
              const off = hv.time.wallClock(d) - real;
              offset ??= off;
              if (Math.abs(off - offset) > 1000) return `wall-clock time drifted from real time by ${off - offset} ns`;
            }
          }
          return undefined;
        });
      },
    },
    {
      contract: 'time/alarms-fire-at-their-deadline',
      sentence: `real-time alarms fire once, at their deadline (within ${ALARM_PRECISION_NS} ns, off any tick), in order; virtual-time alarms when the domain has run that long; cancelled or replaced ones never`,
      check(compose, name) {
        const machines = machinesFor(compose).length;
        const alarm = fc.record({
          d: fc.nat(),
          clock: fc.constantFrom<AlarmClock>('real', 'real', 'virtual'),
          at: fc.integer({ min: 1, max: 60_000_000 }),
          // oxlint-disable-next-line unicorn/no-thenable -- 'then' is a scenario field (what happens to the alarm next); the object is never awaited
          then: fc.constantFrom('keep', 'keep', 'keep', 'cancel', 'replace'),
        });
        const scenario = fc.record({
          machine: fc.integer({ min: 0, max: machines - 1 }),
          cores: fc.integer({ min: 1, max: 2 }),
          domains: fc.array(timed, { minLength: 1, maxLength: 8 }),
          alarms: fc.array(alarm, { minLength: 1, maxLength: 16 }),
        });
        checkProperty(this.contract, name, settings, scenario, 12, (s) => {
          const { hv, rec } = machineUnderTest(compose, resized(machinesFor(compose)[s.machine]!, s.cores), settings);
          const ds = domainNames(s.domains.length).map((n) => hv.createDomain({ name: n, memoryMiB: 4 }));
          start(hv, ds, s.domains);
          hv.runUntil(1_000_000 + 333); // set the alarms from an odd instant
          interface Pending {
            d: Domain;
            clock: AlarmClock;
            deadline: number;
            live: boolean;
            fired: number[];
            virtualAtFire: number[];
          }
          const all: Pending[] = [];
          const current = new Map<string, Pending>();
          for (const a of s.alarms) {
            const d = ds[a.d % ds.length]!;
            const key = `${d.id}:${a.clock}`;
            const deadline = (a.clock === 'real' ? hv.now : hv.time.virtualTime(d)) + a.at;
            const p: Pending = { d, clock: a.clock, deadline, live: a.then !== 'cancel', fired: [], virtualAtFire: [] };
            const previous = current.get(key);
            if (previous !== undefined) previous.live = false; // a domain holds one alarm per clock: setting replaces
            hv.time.setAlarm(d, a.clock, deadline, () => {
              p.fired.push(hv.now);
              p.virtualAtFire.push(hv.time.virtualTime(d));
            });
            all.push(p);
            current.set(key, p);
            if (a.then === 'cancel') {
              hv.time.cancelAlarm(d, a.clock);
              current.delete(key);
            }
            if (a.then === 'replace') p.live = true;
          }
          hv.runUntil(hv.now + 400e6);
          for (const p of all) {
            const what = `'${p.d.name}''s ${p.clock}-time alarm for ${p.deadline} ns`;
            if (!p.live) {
              if (p.fired.length > 0) return `${what} fired at ${p.fired[0]} ns although it was cancelled or replaced`;
              continue;
            }
            if (p.clock === 'virtual' && p.d.state === 'running' && hv.time.virtualTime(p.d) < p.deadline) continue; // not due yet
            if (p.fired.length !== 1) return `${what} fired ${p.fired.length} time(s) (virtual time now ${hv.time.virtualTime(p.d)} ns, real ${hv.now} ns)`;
            const at = p.fired[0]!;
            if (p.clock === 'real') {
              if (at < p.deadline) return `${what} fired early, at ${at} ns`;
              if (at > p.deadline + ALARM_PRECISION_NS) return `${what} fired ${at - p.deadline} ns late, at ${at} ns`;
            } else {
              if (p.virtualAtFire[0]! < p.deadline) return `${what} fired when the domain had run only ${p.virtualAtFire[0]} ns`;
              // The machine's record: when had the domain's bursts covered the deadline?
              let ran = 0;
              let due = Number.POSITIVE_INFINITY;
              const longest = Math.max(0, ...rec.runs.filter((r) => r.domain === p.d.id).map((r) => r.durationNs));
              for (const r of rec.runs) {
                if (r.domain !== p.d.id) continue;
                ran += r.durationNs;
                if (ran >= p.deadline) {
                  due = r.start + r.durationNs;
                  break;
                }
              }
              if (at > due + 2 * longest + ALARM_PRECISION_NS) return `${what} fired at ${at} ns; the machine had run the domain that long by ${due} ns`;
            }
          }
          const real = all.filter((p) => p.live && p.clock === 'real' && p.fired.length === 1).sort((a, b) => a.deadline - b.deadline);
          for (let i = 1; i < real.length; i++)
            if (real[i]!.fired[0]! < real[i - 1]!.fired[0]!)
              return `real-time alarms fired out of deadline order (${real[i - 1]!.deadline} after ${real[i]!.deadline})`;
          return undefined;
        });
      },
    },
  ];
}
