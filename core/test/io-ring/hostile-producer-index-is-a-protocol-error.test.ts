import test from 'ava';
import fc from 'fast-check';
import { createIoRing } from '../../src/io-ring/io-ring.js';
import type { SharedRing } from '../../src/io-ring/io-ring.js';
import { RingProtocolError } from '../../src/io-ring/ring-errors.js';

interface Req {
  readonly id: number;
}
interface Rsp {
  readonly id: number;
}

/** Replaces every slot with a getter that counts reads. */
function countSlotReads(shared: SharedRing<Req, Rsp>): { reads: number } {
  const counter = { reads: 0 };
  for (let i = 0; i < shared.size; i++) {
    const value = shared.slots[i];
    Object.defineProperty(shared.slots, i, {
      get: () => {
        counter.reads++;
        return value;
      },
      configurable: true,
    });
  }
  return counter;
}

const M = 2 ** 32;
const startIndex = fc.oneof(fc.constant(0), fc.integer({ min: M - 40, max: M - 1 }), fc.integer({ min: 0, max: M - 1 }));

test('a reqProd claiming more than size outstanding requests is a RingProtocolError and no slot is read', (t) => {
  fc.assert(
    fc.property(
      fc.constantFrom(1, 2, 4, 8, 16),
      startIndex,
      fc.nat(),
      fc.nat(),
      fc.integer({ min: 1, max: M - 17 }),
      (size, start, pushSeed, takeSeed, excess) => {
        const { shared, front, back } = createIoRing<Req, Rsp>(size, { startIndex: start });
        const pushed = pushSeed % (size + 1);
        for (let id = 0; id < pushed; id++) front.pushRequest({ id });
        front.pushRequests();
        const taken = takeSeed % (pushed + 1);
        for (let i = 0; i < taken; i++) back.takeRequest();

        const bad = (back.rspProdPvt + size + excess) >>> 0;
        shared.reqProd = bad;
        const counter = countSlotReads(shared);
        const consBefore = back.reqCons;
        const eventBefore = shared.reqEvent;
        for (const attempt of [() => back.hasUnconsumedRequests(), () => back.takeRequest(), () => back.finalCheckForRequests()]) {
          let error: unknown;
          try {
            attempt();
          } catch (e) {
            error = e;
          }
          if (!(error instanceof RingProtocolError) || error.index !== 'reqProd' || error.value !== bad || error.code !== 'RING_PROTOCOL') return false;
          if (!error.message.includes(`reqProd = ${bad}`)) return false;
        }
        return counter.reads === 0 && back.reqCons === consBefore && back.requestsTaken === taken && shared.reqEvent === eventBefore;
      },
    ),
  );
  t.pass();
});

test('a reqProd that runs behind reqCons is a RingProtocolError', (t) => {
  const { shared, front, back } = createIoRing<Req, Rsp>(4, { startIndex: M - 1 });
  for (let id = 0; id < 3; id++) front.pushRequest({ id });
  front.pushRequests();
  back.takeRequest();
  back.takeRequest();
  shared.reqProd = (back.reqCons - 1) >>> 0;
  const counter = countSlotReads(shared);
  const error = t.throws(() => back.takeRequest(), { instanceOf: RingProtocolError });
  t.is(error?.index, 'reqProd');
  t.is(counter.reads, 0);
});

test('a rspProd claiming more responses than outstanding requests is a RingProtocolError and no slot is read', (t) => {
  const { shared, front, back } = createIoRing<Req, Rsp>(8);
  front.pushRequest({ id: 1 });
  front.pushRequests();
  back.takeRequest();
  back.pushResponse({ id: 1 });
  shared.rspProd = 2; // one request outstanding, two responses claimed
  const counter = countSlotReads(shared);
  const error = t.throws(() => front.takeResponse(), { instanceOf: RingProtocolError });
  t.is(error?.index, 'rspProd');
  t.is(error?.value, 2);
  t.is(counter.reads, 0);
  t.is(front.rspCons, 0);
});

test('a published index over a slot that holds no record is a RingProtocolError', (t) => {
  const { shared, back } = createIoRing<Req, Rsp>(4);
  shared.reqProd = 1; // the front end claims a request it never wrote
  const error = t.throws(() => back.takeRequest(), { instanceOf: RingProtocolError });
  t.is(error?.index, 'slot');
  t.is(back.reqCons, 0);
});
