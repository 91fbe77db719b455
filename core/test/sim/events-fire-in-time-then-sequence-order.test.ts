import test from 'ava';
import fc from 'fast-check';
import { InvalidArgumentError, Prng, Simulator } from '../../src/index.js';

test('events fire in (time, sequence) order, cancelled ones never', (t) => {
  fc.assert(
    fc.property(fc.array(fc.record({ delay: fc.integer({ min: 0, max: 50 }), cancel: fc.boolean() }), { maxLength: 200 }), (specs) => {
      const sim = new Simulator(1);
      const fired: number[] = [];
      const events = specs.map((s, i) => sim.schedule(s.delay, () => fired.push(i)));
      specs.forEach((s, i) => s.cancel && sim.cancel(events[i]!));
      sim.run();
      const expected = specs
        .map((s, i) => ({ ...s, i }))
        .filter((s) => !s.cancel)
        .sort((a, b) => a.delay - b.delay || a.i - b.i)
        .map((s) => s.i);
      return JSON.stringify(fired) === JSON.stringify(expected);
    }),
  );
  t.pass();
});

test('events scheduled while running keep the order, and the clock never goes back', (t) => {
  const sim = new Simulator(1);
  const seen: number[] = [];
  sim.schedule(10, () => {
    seen.push(sim.now);
    sim.schedule(0, () => seen.push(sim.now));
    sim.schedule(5, () => seen.push(sim.now));
  });
  sim.schedule(12, () => seen.push(sim.now));
  sim.run();
  t.deepEqual(seen, [10, 10, 12, 15]);
});

test('runUntil fires events up to and including the boundary, then sets the clock to it', (t) => {
  const sim = new Simulator(1);
  const fired: number[] = [];
  for (const d of [5, 10, 15]) sim.schedule(d, () => fired.push(d));
  sim.runUntil(10);
  t.deepEqual(fired, [5, 10]);
  t.is(sim.now as number, 10);
  t.is(sim.pending, 1);
  sim.runUntil(12);
  t.is(sim.now as number, 12);
});

test('cancel after firing returns false; bad delays and past times are refused', (t) => {
  const sim = new Simulator(1);
  const e = sim.schedule(1, () => {});
  sim.run();
  t.false(sim.cancel(e));
  t.throws(() => sim.schedule(-1, () => {}), { instanceOf: InvalidArgumentError });
  t.throws(() => sim.scheduleAt(0, () => {}), { instanceOf: InvalidArgumentError });
  t.throws(() => sim.schedule(Number.NaN, () => {}), { instanceOf: InvalidArgumentError });
});

function randomTrace(seed: number): string {
  const sim = new Simulator(seed);
  const trace: string[] = [];
  const spawn = (depth: number): void => {
    trace.push(`${sim.now}:${depth}`);
    if (depth < 6) for (let i = 0; i < 2; i++) sim.schedule(sim.random.int(1000), () => spawn(depth + 1));
  };
  spawn(0);
  sim.run();
  return trace.join(',');
}

test('same seed, same trace; another seed, another trace', (t) => {
  t.is(randomTrace(42), randomTrace(42));
  t.not(randomTrace(42), randomTrace(43));
});

test("forked random streams do not depend on each other's consumption", (t) => {
  const a = new Prng(7);
  const b = new Prng(7);
  const fa = a.fork('disk');
  for (let i = 0; i < 100; i++) b.next();
  const fb = b.fork('disk');
  t.deepEqual([fa.next(), fa.next()], [fb.next(), fb.next()]);
  t.not(new Prng(7).fork('disk').next(), new Prng(7).fork('net').next());
});
