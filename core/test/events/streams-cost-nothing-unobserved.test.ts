import 'reflect-metadata';
import test from 'ava';
import { CostCategory, CpuEvents, createHypervisor, server2007, type ScheduleEvent } from '../../src/index.js';
import { minimalPlugin } from '../support/minimal-plugin.js';

const compute = { run: (v: { charge: (c: CostCategory, n: number) => void }, b: number) => (v.charge(CostCategory.GuestUser, b), 'budget' as const) };

test('with no subscriber the runner builds no schedule event payloads; with one they arrive', (t) => {
  const original = CpuEvents.prototype.emitSchedule;
  let built = 0;
  CpuEvents.prototype.emitSchedule = function (e: ScheduleEvent) {
    built++;
    original.call(this, e);
  };
  try {
    const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
    hv.start(hv.createDomain({ name: 'a' }), () => compute);
    hv.runUntil(1e8);
    t.is(built, 0);
    const seen: ScheduleEvent[] = [];
    const sub = hv.events.cpu.schedules$.subscribe((e) => seen.push(e));
    hv.runUntil(2e8);
    sub.unsubscribe();
    t.true(seen.length > 0);
    t.is(built, seen.length);
  } finally {
    CpuEvents.prototype.emitSchedule = original;
  }
});

test('lifecycle events describe each transition, and streams complete on dispose', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
  const seen: string[] = [];
  let completed = false;
  hv.events.domains.lifecycle$.subscribe({ next: (e) => seen.push(`${e.domain}:${e.from}>${e.to}`), complete: () => (completed = true) });
  const d = hv.createDomain({ name: 'web' });
  hv.start(d);
  hv.pause(d);
  hv.dispose();
  t.deepEqual(seen, ['web:created>created', 'web:created>running', 'web:running>paused']);
  t.true(completed);
});
