import test from 'ava';
import fc from 'fast-check';
import { Simulator } from '../../src/index.js';

test('a periodic daemon runs beside the work and stops with it: run() returns when only daemons are left', (t) => {
  const sim = new Simulator();
  const ticks: number[] = [];
  const scan = (): void => {
    ticks.push(sim.now);
    sim.scheduleDaemon(1e6, scan);
  };
  sim.scheduleDaemon(1e6, scan);
  let workDone = 0;
  sim.schedule(5.5e6, () => (workDone = sim.now));
  sim.run();
  t.is(workDone, 5.5e6);
  t.deepEqual(ticks, [1e6, 2e6, 3e6, 4e6, 5e6], 'the daemon ran while there was work, and no further');
  t.is(sim.foreground, 0);
  t.is(sim.pending, 1, 'its next tick is still queued');
  // Explicit time still advances daemons; new work wakes the simulation again.
  sim.runUntil(8e6);
  t.deepEqual(ticks.slice(5), [6e6, 7e6, 8e6]);
  sim.schedule(1.5e6, () => (workDone = sim.now));
  sim.run();
  t.is(workDone, 9.5e6);
  t.deepEqual(ticks.slice(8), [9e6]);
});

test('with daemons mixed in, run() fires every event in (time, sequence) order up to the last foreground one, then stops', (t) => {
  fc.assert(
    fc.property(fc.array(fc.record({ delay: fc.nat(1000), daemon: fc.boolean(), cancel: fc.boolean() }), { maxLength: 40 }), (plans) => {
      const sim = new Simulator();
      const fired: { time: number; i: number; daemon: boolean }[] = [];
      const events = plans.map((p, i) =>
        (p.daemon ? sim.scheduleDaemon : sim.schedule).call(sim, p.delay, () => fired.push({ time: sim.now, i, daemon: p.daemon })),
      );
      plans.forEach((p, i) => {
        if (p.cancel && i % 3 === 0) sim.cancel(events[i]!);
      });
      sim.run();
      const live = plans.map((p, i) => ({ ...p, i })).filter((p) => !(p.cancel && p.i % 3 === 0));
      const order = [...live].sort((a, b) => a.delay - b.delay || a.i - b.i);
      const lastForeground = order.map((p) => p.daemon).lastIndexOf(false);
      const expected = order.slice(0, lastForeground + 1).map((p) => p.i);
      t.deepEqual(
        fired.map((f) => f.i),
        expected,
      );
      t.is(sim.foreground, 0);
      t.is(sim.pending, order.length - expected.length);
    }),
  );
});
