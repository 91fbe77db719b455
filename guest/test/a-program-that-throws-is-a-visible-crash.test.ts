import test from 'ava';
import type { GuestCrashEvent } from '@visorkit/core';
import { CRASHES_KEPT, type Operation, type Sys } from '../src/index.js';
import { runGuest } from './helpers.js';

test('a program that throws crashes its process with the reason — counted, kept, emitted — and its parent and domain carry on', (t) => {
  const emitted: GuestCrashEvent[] = [];
  let child = -1;
  let reaped = -1;
  const env = runGuest(
    (e) =>
      function* (sys: Sys) {
        e.hv.events.guest.crashes$.subscribe((c) => emitted.push(c));
        child = yield* sys.fork(function* () {
          throw new RangeError('index 7 out of range');
        });
        reaped = yield* sys.wait();
        return 0;
      },
    undefined,
    1,
    { expectCrashes: true },
  );
  t.is(reaped, child);
  t.is(env.domain.state, 'running');
  t.is(env.kernel.crashCount, 1);
  t.like(env.kernel.crashes[0], { pid: child, program: '/bin/main', reason: { kind: 'exception', name: 'RangeError', message: 'index 7 out of range' } });
  t.is(env.hv.counts(env.domain)['process-crash'], 1);
  t.is(emitted.length, 1);
  t.like(emitted[0], { domain: 'guest', pid: child, program: '/bin/main', reason: 'exception', detail: 'RangeError: index 7 out of range' });
});

test('a program that yields something that is not an operation crashes; one that passes no argument list gets answers', (t) => {
  const got: unknown[] = [];
  const env = runGuest(
    () =>
      function* (sys: Sys) {
        yield* sys.fork(function* () {
          yield 42 as unknown as Operation;
        });
        yield* sys.fork(function* () {
          yield null as unknown as Operation;
        });
        yield* sys.wait();
        yield* sys.wait();
        got.push(yield { kind: 'syscall', call: 'close', args: 'not a list' } as unknown as Operation);
        return 0;
      },
    undefined,
    1,
    { expectCrashes: true },
  );
  t.deepEqual(
    env.kernel.crashes.map((c) => c.reason),
    [
      { kind: 'bad-operation', operation: '42' },
      { kind: 'bad-operation', operation: 'null' },
    ],
  );
  // close(undefined): no such descriptor.
  t.deepEqual(got, [-9]);
});

test('an unexpected crash fails a guest test: runGuest names it', (t) => {
  const error = t.throws(() =>
    runGuest(
      () =>
        function* () {
          throw new Error('a check inside the guest failed');
        },
    ),
  );
  t.regex(error.message, /1 guest process\(es\) crashed unexpectedly: pid 1 \(\/bin\/main\).*a check inside the guest failed/);
});

test('a crash loop is counted in full but keeps only the first records', (t) => {
  const n = CRASHES_KEPT + 5;
  const env = runGuest(
    () =>
      function* (sys: Sys) {
        for (let i = 0; i < n; i++) {
          yield* sys.fork(function* () {
            throw new Error(`crash ${i}`);
          });
          yield* sys.wait();
        }
        return 0;
      },
    undefined,
    1,
    { expectCrashes: true },
  );
  t.is(env.kernel.crashCount, n);
  t.is(env.kernel.crashes.length, CRASHES_KEPT);
  t.is(env.hv.counts(env.domain)['process-crash'], n);
});
