import test from 'ava';
import fc from 'fast-check';
import { createIoRing } from '../../src/io-ring/io-ring.js';

interface Req {
  readonly id: number;
}
interface Rsp {
  readonly id: number;
}

const M = 2 ** 32;
const wrap = (x: number): number => ((x % M) + M) % M;
const dist = (to: number, from: number): number => wrap(to - from);

/**
 * Reference for RING_PUSH_*_AND_CHECK_NOTIFY, stated the long way: a notification is owed iff
 * one of the newly published indices `old+1 … new` (mod 2^32) equals the consumer's event index.
 */
function passesEvent(oldProd: number, newProd: number, event: number): boolean {
  for (let i = oldProd; i !== newProd; ) {
    i = wrap(i + 1);
    if (i === event) return true;
  }
  return false;
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

type Op =
  | { readonly kind: 'frontPush' | 'backTake' | 'backRespond' | 'frontConsume'; readonly n: number }
  | { readonly kind: 'frontPublish' | 'backSleep' | 'backPublish' | 'frontSleep' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('frontPush', 'backTake', 'backRespond', 'frontConsume' as const), n: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constantFrom('frontPublish', 'backSleep', 'backPublish', 'frontSleep' as const) }),
);
const startIndex = fc.oneof(fc.integer({ min: M - 48, max: M - 1 }), fc.constant(0), fc.integer({ min: 0, max: M - 1 }));

test('pushes notify exactly when the ring.h event arithmetic says so, in both directions and across the 2^32 wrap', (t) => {
  fc.assert(
    fc.property(fc.constantFrom(1, 2, 4, 8, 16), startIndex, fc.array(op, { maxLength: 200 }), (size, start, script) => {
      const { shared, front, back } = createIoRing<Req, Rsp>(size, { startIndex: start });
      // Reference model of the eight indices, in plain modular arithmetic.
      const m = {
        reqPvt: start,
        reqProd: start,
        reqCons: start,
        reqEvent: wrap(start + 1),
        rspPvt: start,
        rspProd: start,
        rspCons: start,
        rspEvent: wrap(start + 1),
      };
      // A consumer is asleep from a final check that found no work until it is notified. SHARED_RING_INIT
      // sets both event indices to start+1, so both consumers begin asleep.
      let backAsleep = true;
      let frontAsleep = true;
      let requestNotifications = 0;
      let responseNotifications = 0;

      for (const o of script) {
        switch (o.kind) {
          case 'frontPush': {
            const n = Math.min(o.n, size - dist(m.reqPvt, m.rspCons));
            for (let i = 0; i < n; i++) front.pushRequest({ id: i });
            m.reqPvt = wrap(m.reqPvt + n);
            break;
          }
          case 'frontPublish': {
            const expected = passesEvent(m.reqProd, m.reqPvt, m.reqEvent);
            const published = m.reqPvt !== m.reqProd;
            m.reqProd = m.reqPvt;
            const notify = front.pushRequestsAndCheckNotify();
            check(notify === expected, `request notify ${notify}, ring.h says ${expected}`);
            check(notify === (published && backAsleep), 'a request batch must notify iff the back end is asleep');
            if (notify) {
              backAsleep = false;
              requestNotifications++;
            }
            break;
          }
          case 'backTake': {
            const n = Math.min(o.n, dist(m.reqProd, m.reqCons));
            for (let i = 0; i < n; i++) check(back.takeRequest() !== undefined, 'a published request was not taken');
            if (n < o.n) check(back.takeRequest() === undefined, 'took a request that was never published');
            m.reqCons = wrap(m.reqCons + n);
            break;
          }
          case 'backSleep': {
            let work = dist(m.reqProd, m.reqCons) > 0;
            if (!work) {
              m.reqEvent = wrap(m.reqCons + 1);
              work = dist(m.reqProd, m.reqCons) > 0;
            }
            check(back.finalCheckForRequests() === work, 'finalCheckForRequests disagrees');
            if (!work) backAsleep = true;
            break;
          }
          case 'backRespond': {
            const n = Math.min(o.n, dist(m.reqCons, m.rspPvt));
            for (let i = 0; i < n; i++) back.pushResponse({ id: i });
            m.rspPvt = wrap(m.rspPvt + n);
            break;
          }
          case 'backPublish': {
            const expected = passesEvent(m.rspProd, m.rspPvt, m.rspEvent);
            const published = m.rspPvt !== m.rspProd;
            m.rspProd = m.rspPvt;
            const notify = back.pushResponsesAndCheckNotify();
            check(notify === expected, `response notify ${notify}, ring.h says ${expected}`);
            check(notify === (published && frontAsleep), 'a response batch must notify iff the front end is asleep');
            if (notify) {
              frontAsleep = false;
              responseNotifications++;
            }
            break;
          }
          case 'frontConsume': {
            const n = Math.min(o.n, dist(m.rspProd, m.rspCons));
            for (let i = 0; i < n; i++) check(front.takeResponse() !== undefined, 'a published response was not taken');
            if (n < o.n) check(front.takeResponse() === undefined, 'took a response that was never published');
            m.rspCons = wrap(m.rspCons + n);
            break;
          }
          case 'frontSleep': {
            let work = dist(m.rspProd, m.rspCons) > 0;
            if (!work) {
              m.rspEvent = wrap(m.rspCons + 1);
              work = dist(m.rspProd, m.rspCons) > 0;
            }
            check(front.finalCheckForResponses() === work, 'finalCheckForResponses disagrees');
            if (!work) frontAsleep = true;
            break;
          }
        }
        check(
          shared.reqProd === m.reqProd && shared.reqEvent === m.reqEvent && shared.rspProd === m.rspProd && shared.rspEvent === m.rspEvent,
          'shared indices diverged from the model',
        );
        check(
          front.reqProdPvt === m.reqPvt && front.rspCons === m.rspCons && back.reqCons === m.reqCons && back.rspProdPvt === m.rspPvt,
          'private indices diverged',
        );
      }
      check(front.notificationsSent === requestNotifications && back.notificationsSent === responseNotifications, 'notification counters disagree');
    }),
    { numRuns: 400 },
  );
  t.pass();
});

test('a sleeping back end is notified once for a batch that straddles the 2^32 wrap, and not again while awake', (t) => {
  const { shared, front, back } = createIoRing<Req, Rsp>(8, { startIndex: M - 3 });
  t.false(back.finalCheckForRequests());
  t.is(shared.reqEvent, M - 2);
  for (let id = 0; id < 5; id++) front.pushRequest({ id });
  t.true(front.pushRequestsAndCheckNotify());
  t.is(shared.reqProd, 2);
  front.pushRequest({ id: 5 });
  t.false(front.pushRequestsAndCheckNotify());
  t.deepEqual([front.notificationsSent, front.notificationsSuppressed], [1, 1]);
  t.is(back.unconsumedRequests(), 6);
});

test('publishing nothing neither notifies nor counts as suppressed', (t) => {
  const { front } = createIoRing<Req, Rsp>(4);
  t.false(front.pushRequestsAndCheckNotify());
  t.deepEqual([front.notificationsSent, front.notificationsSuppressed], [0, 0]);
});
