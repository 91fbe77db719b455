import test from 'ava';
import fc from 'fast-check';
import { type ScheduledEvent, Simulator } from '../../src/index.js';

/**
 * The simulator's contract, written the slowest obvious way: a list of events, the earliest
 * (time, then scheduling order) found by a scan. Same program, same trace.
 */
interface RefEvent {
  readonly time: number;
  readonly sequence: number;
  readonly daemon: boolean;
  readonly action: () => void;
  state: 'pending' | 'done';
}

class ReferenceSimulator {
  now = 0;
  readonly #events: RefEvent[] = [];

  schedule(delay: number, action: () => void, daemon = false): number {
    this.#events.push({ time: this.now + Math.ceil(delay), sequence: this.#events.length, daemon, action, state: 'pending' });
    return this.#events.length - 1;
  }

  scheduleAt(time: number, action: () => void): number {
    this.#events.push({ time: Math.ceil(time), sequence: this.#events.length, daemon: false, action, state: 'pending' });
    return this.#events.length - 1;
  }

  cancel(id: number): boolean {
    const e = this.#events[id]!;
    if (e.state !== 'pending') return false;
    e.state = 'done';
    return true;
  }

  isPending(id: number): boolean {
    return this.#events[id]!.state === 'pending';
  }

  get pending(): number {
    return this.#events.filter((e) => e.state === 'pending').length;
  }

  get foreground(): number {
    return this.#events.filter((e) => e.state === 'pending' && !e.daemon).length;
  }

  #next(): RefEvent | undefined {
    let best: RefEvent | undefined;
    for (const e of this.#events)
      if (e.state === 'pending' && (best === undefined || e.time < best.time || (e.time === best.time && e.sequence < best.sequence))) best = e;
    return best;
  }

  step(): boolean {
    const e = this.#next();
    if (e === undefined) return false;
    e.state = 'done';
    this.now = e.time;
    e.action();
    return true;
  }

  runUntil(time: number): void {
    for (let e = this.#next(); e !== undefined && e.time <= time; e = this.#next()) this.step();
    if (time > this.now) this.now = Math.floor(time);
  }

  run(): void {
    while (this.foreground > 0 && this.step());
  }
}

/** What an event does when it fires: record itself, then schedule children (as timers re-arm). */
interface Plan {
  readonly delay: number;
  readonly daemon: boolean;
  readonly at: boolean;
  readonly children: readonly { readonly delay: number; readonly daemon: boolean; readonly cancelSibling: boolean }[];
}

type Op = { kind: 'schedule'; plan: Plan } | { kind: 'cancel'; pick: number } | { kind: 'step' } | { kind: 'runUntil'; ahead: number } | { kind: 'run' };

const delay = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 20 }) }, { weight: 1, arbitrary: fc.double({ min: 0, max: 50, noNaN: true }) });
const plan: fc.Arbitrary<Plan> = fc.record({
  delay,
  daemon: fc.boolean(),
  at: fc.boolean(),
  children: fc.array(fc.record({ delay, daemon: fc.boolean(), cancelSibling: fc.boolean() }), { maxLength: 2 }),
});
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('schedule' as const), plan }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'step' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('runUntil' as const), ahead: fc.double({ min: 0, max: 30, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'run' as const }) },
);

interface Driver {
  readonly now: number;
  readonly pending: number;
  readonly foreground: number;
  schedule(delay: number, action: () => void, daemon: boolean): unknown;
  scheduleAt(time: number, action: () => void): unknown;
  cancel(handle: unknown): boolean;
  isPending(handle: unknown): boolean;
  step(): boolean;
  runUntil(time: number): void;
  run(): void;
}

function driveSimulator(): Driver {
  const sim = new Simulator(1);
  return {
    get now() {
      return sim.now;
    },
    get pending() {
      return sim.pending;
    },
    get foreground() {
      return sim.foreground;
    },
    schedule: (d, a, daemon) => (daemon ? sim.scheduleDaemon(d, a) : sim.schedule(d, a)),
    scheduleAt: (time, a) => sim.scheduleAt(time, a),
    // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- handles come from this simulator
    cancel: (h) => sim.cancel(h as ScheduledEvent),
    // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- handles come from this simulator
    isPending: (h) => sim.isPending(h as ScheduledEvent),
    step: () => sim.step(),
    runUntil: (time) => sim.runUntil(time),
    run: () => sim.run(),
  };
}

function driveReference(): Driver {
  const ref = new ReferenceSimulator();
  return {
    get now() {
      return ref.now;
    },
    get pending() {
      return ref.pending;
    },
    get foreground() {
      return ref.foreground;
    },
    schedule: (d, a, daemon) => ref.schedule(d, a, daemon),
    scheduleAt: (time, a) => ref.scheduleAt(time, a),
    // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- handles come from this reference
    cancel: (h) => ref.cancel(h as number),
    // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- handles come from this reference
    isPending: (h) => ref.isPending(h as number),
    step: () => ref.step(),
    runUntil: (time) => ref.runUntil(time),
    run: () => ref.run(),
  };
}

/** Runs `ops` on `d` and returns everything observable: fired events with times, results, counters. */
function trace(ops: readonly Op[], d: Driver): string[] {
  const out: string[] = [];
  const handles: unknown[] = [];
  const schedule = (p: Plan | Plan['children'][number], id: string, at: boolean): void => {
    const action = (): void => {
      out.push(`fire ${id} @${d.now}`);
      const children = 'children' in p ? p.children : [];
      children.forEach((c, k) => {
        schedule({ ...c, at: false, children: [] }, `${id}.${k}`, false);
        // A timer that re-arms often cancels the one before it: cancel the previous handle.
        if (c.cancelSibling && handles.length > 1) out.push(`cancel-in-action ${d.cancel(handles[handles.length - 2])}`);
      });
    };
    handles.push(at ? d.scheduleAt(d.now + p.delay, action) : d.schedule(p.delay, action, p.daemon));
  };
  let n = 0;
  for (const o of ops) {
    if (o.kind === 'schedule') schedule(o.plan, `e${n++}`, o.plan.at);
    else if (o.kind === 'cancel') {
      if (handles.length > 0) out.push(`cancel ${d.cancel(handles[o.pick % handles.length])}`);
    } else if (o.kind === 'step') out.push(`step ${d.step()}`);
    else if (o.kind === 'runUntil') d.runUntil(d.now + o.ahead);
    else d.run();
    out.push(`now ${d.now} pending ${d.pending} foreground ${d.foreground} live ${handles.map((h) => (d.isPending(h) ? 1 : 0)).join('')}`);
  }
  return out;
}

test('the simulator fires, cancels and counts exactly as a scan of a list sorted by (time, sequence)', (t) => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 150, size: 'max' }), (ops) => {
      const got = trace(ops, driveSimulator());
      const expected = trace(ops, driveReference());
      if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error(`traces differ:\n${got.join('\n')}\n---\n${expected.join('\n')}`);
    }),
  );
  t.pass();
});

test('handles of fired and cancelled events stay dead when their records are reused', (t) => {
  const sim = new Simulator(1);
  const a = sim.schedule(1, () => {});
  t.true(sim.isPending(a));
  sim.run();
  t.false(sim.isPending(a));
  // The next event reuses a's record; a's handle must not reach it.
  const b = sim.schedule(1, () => {});
  t.not(b, a);
  t.false(sim.cancel(a));
  t.true(sim.isPending(b));
  t.true(sim.cancel(b));
  t.false(sim.cancel(b));
  t.is(sim.pending, 0);
});
