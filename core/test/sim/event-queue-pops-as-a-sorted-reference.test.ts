import test from 'ava';
import fc from 'fast-check';
import { EventQueue, EventQueueFullError, type ScheduledEvent } from '../../src/sim/event-queue.js';

/** One event as the reference model sees it: a row of a list, searched by brute force. */
interface RefEvent {
  readonly time: number;
  readonly sequence: number;
  readonly daemon: boolean;
  readonly action: () => void;
  readonly handle: ScheduledEvent;
  state: 'pending' | 'fired' | 'cancelled';
}

type Op =
  | { readonly kind: 'push'; readonly time: number; readonly daemon: boolean }
  | { readonly kind: 'cancel'; readonly pick: number }
  | { readonly kind: 'pop' }
  | { readonly kind: 'peek' };

// Mostly a handful of distinct times, so ties (decided by sequence alone) meet in every
// comparison of a sift; sometimes spread out or far away.
const time = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 3 }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 100 }) },
  { weight: 1, arbitrary: fc.constantFrom(1e15, Number.POSITIVE_INFINITY) },
);
// More pushes than pops, so the heap grows deep enough for full groups of four children.
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('push' as const), time, daemon: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'pop' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'peek' as const }) },
);
// Long mixes: fast-check's default size keeps arrays to a few dozen entries.
const ops = fc.array(op, { maxLength: 400, size: 'max' });

function earliest(events: readonly RefEvent[]): RefEvent | undefined {
  let best: RefEvent | undefined;
  for (const e of events)
    if (e.state === 'pending' && (best === undefined || e.time < best.time || (e.time === best.time && e.sequence < best.sequence))) best = e;
  return best;
}

/** Runs `ops` on a queue and on the reference side by side; throws at the first difference. */
function replay(ops: readonly Op[], queue: EventQueue, maxGeneration = 2 ** 27 - 1): void {
  const events: RefEvent[] = [];
  const handles = new Set<number>();
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new Error(`${what} (after ${events.length} pushes)`);
  };
  for (const o of ops) {
    if (o.kind === 'push') {
      const action = (): void => {};
      const handle = queue.push(o.time, action, o.daemon);
      check(!handles.has(handle), `handle ${handle} was handed out before`);
      // A handle is generation × 2^26 + slot; past the limit a slot must have been retired.
      check(Math.floor(handle / 2 ** 26) <= maxGeneration, `handle ${handle} of a slot past its last generation`);
      handles.add(handle);
      events.push({ time: o.time, sequence: events.length, daemon: o.daemon, action, handle, state: 'pending' });
    } else if (o.kind === 'cancel') {
      if (events.length === 0) continue;
      // Any event ever pushed, so handles of fired, cancelled and recycled records are tried too.
      const e = events[o.pick % events.length]!;
      check(queue.cancel(e.handle) === (e.state === 'pending'), `cancel of a ${e.state} event`);
      if (e.state === 'pending') e.state = 'cancelled';
    } else if (o.kind === 'pop') {
      const e = earliest(events);
      const action = queue.pop();
      check(action === e?.action, `pop returned another event than the earliest (${e?.time}, ${e?.sequence})`);
      if (e !== undefined) {
        check(queue.poppedTime === e.time, `popped time ${queue.poppedTime}, expected ${e.time}`);
        e.state = 'fired';
      }
    } else {
      const e = earliest(events);
      if (e !== undefined) check(queue.peekTime() === e.time, `peek ${queue.peekTime()}, expected ${e.time}`);
    }
    const pending = events.filter((e) => e.state === 'pending');
    check(queue.size === pending.length, `size ${queue.size}, expected ${pending.length}`);
    check(queue.foreground === pending.filter((e) => !e.daemon).length, 'foreground count');
    for (const e of events) check(queue.isPending(e.handle) === (e.state === 'pending'), `isPending of a ${e.state} event`);
  }
  // Draining gives every pending event in (time, sequence) order.
  for (let e = earliest(events); e !== undefined; e = earliest(events)) {
    check(queue.pop() === e.action, 'drain order');
    e.state = 'fired';
  }
  check(queue.pop() === undefined && queue.size === 0 && queue.foreground === 0, 'empty after draining');
}

test('the queue pops exactly as a list sorted by (time, sequence), under random push/cancel/pop mixes', (t) => {
  fc.assert(
    fc.property(ops, (mix) => {
      replay(mix, new EventQueue());
    }),
  );
  t.pass();
});

test('records worn out by many generations are retired, and handles stay unique and exact', (t) => {
  // Generation limit 2: every slot serves at most three events, so slots retire constantly.
  fc.assert(
    fc.property(ops, (mix) => {
      replay(mix, new EventQueue({ maxGeneration: 2 }), 2);
    }),
  );
  t.pass();
});

test('the queue grows from its initial size to thousands of pending events and back, in order', (t) => {
  const queue = new EventQueue();
  let x = 7;
  const times: number[] = [];
  for (let i = 0; i < 5000; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    times.push(x % 1000);
    queue.push(x % 1000, () => {}, i % 2 === 0);
  }
  t.is(queue.size, 5000);
  t.is(queue.foreground, 2500);
  const popped: number[] = [];
  while (queue.pop() !== undefined) popped.push(queue.poppedTime);
  t.deepEqual(
    popped,
    [...times].sort((a, b) => a - b),
  );
});

test('a full queue refuses another event with a typed error, and takes one again once an event has fired', (t) => {
  const queue = new EventQueue({ maxSlots: 100 });
  for (let i = 0; i < 100; i++) queue.push(i, () => {}, false);
  const error = t.throws(() => queue.push(5, () => {}, false), { instanceOf: EventQueueFullError });
  t.is(error.code, 'EVENT_QUEUE_FULL');
  t.is(queue.size, 100, 'the refused push left the queue as it was');
  queue.pop();
  queue.push(5, () => {}, false);
  t.is(queue.size, 100);
  t.is(queue.peekTime(), 1);
});
