import test from 'ava';
import fc from 'fast-check';
import { createIoRing } from '../../src/io-ring/io-ring.js';
import { RingFullError } from '../../src/io-ring/ring-errors.js';

interface Req {
  readonly id: number;
}
interface Rsp {
  readonly id: number;
}

const startIndex = fc.oneof(fc.constant(0), fc.integer({ min: 2 ** 32 - 40, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }));

test('the front end may have exactly size requests outstanding, as ring.h arithmetic allows', (t) => {
  const { front } = createIoRing<Req, Rsp>(4);
  for (let id = 0; id < 4; id++) {
    t.false(front.full());
    front.pushRequest({ id });
  }
  t.true(front.full());
  t.is(front.freeRequests(), 0);
});

test('a full ring refuses a push with RingFullError and nothing in it is overwritten', (t) => {
  fc.assert(
    fc.property(fc.constantFrom(1, 2, 4, 8, 32), startIndex, fc.integer({ min: 1, max: 5 }), (size, start, extra) => {
      const { shared, front, back } = createIoRing<Req, Rsp>(size, { startIndex: start });
      const pushed: Req[] = [];
      for (let id = 0; id < size; id++) {
        const req = { id: 1000 + id };
        pushed.push(req);
        front.pushRequest(req);
      }
      const slotsBefore = [...shared.slots];
      const prodBefore = front.reqProdPvt;
      for (let i = 0; i < extra; i++) {
        const error = t.throws(() => front.pushRequest({ id: -1 }), { instanceOf: RingFullError });
        if (error?.side !== 'request' || error.size !== size || error.code !== 'RING_FULL') return false;
      }
      if (front.reqProdPvt !== prodBefore || front.requestsPushed !== size) return false;
      if (!shared.slots.every((slot, i) => slot === slotsBefore[i])) return false;

      front.pushRequests();
      const taken: number[] = [];
      for (let req = back.takeRequest(); req !== undefined; req = back.takeRequest()) taken.push(req.id);
      return taken.join() === pushed.map((r) => r.id).join();
    }),
  );
});

test('one consumed response makes room for exactly one more request', (t) => {
  const { front, back } = createIoRing<Req, Rsp>(2, { startIndex: 2 ** 32 - 1 });
  front.pushRequest({ id: 1 });
  front.pushRequest({ id: 2 });
  front.pushRequests();
  const first = back.takeRequest();
  back.pushResponse({ id: first?.id ?? -1 });
  back.pushResponses();
  t.throws(() => front.pushRequest({ id: 3 }), { instanceOf: RingFullError });
  t.is(front.takeResponse()?.id, 1);
  front.pushRequest({ id: 3 });
  t.throws(() => front.pushRequest({ id: 4 }), { instanceOf: RingFullError });
});

test('the back end cannot push a response when every taken request is already answered', (t) => {
  const { front, back } = createIoRing<Req, Rsp>(4);
  t.throws(() => back.pushResponse({ id: 0 }), { instanceOf: RingFullError, message: /Take a request/ });
  front.pushRequest({ id: 7 });
  front.pushRequests();
  back.takeRequest();
  back.pushResponse({ id: 7 });
  const error = t.throws(() => back.pushResponse({ id: 7 }), { instanceOf: RingFullError });
  t.is(error?.side, 'response');
});
