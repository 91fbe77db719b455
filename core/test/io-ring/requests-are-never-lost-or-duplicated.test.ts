import test from 'ava';
import fc from 'fast-check';
import { createIoRing } from '../../src/io-ring/io-ring.js';
import { RingFullError } from '../../src/io-ring/ring-errors.js';

interface Req {
  readonly id: number;
  readonly payload: number;
}
interface Rsp {
  readonly id: number;
  readonly result: number;
}

type OpKind = 'push' | 'publish' | 'take' | 'respond' | 'publishResponses' | 'consume';
const opKinds: OpKind[] = ['push', 'publish', 'take', 'respond', 'publishResponses', 'consume'];

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const startIndex = fc.oneof(fc.constant(0), fc.integer({ min: 2 ** 32 - 40, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }));
const ops = fc.array(fc.record({ kind: fc.constantFrom(...opKinds), pick: fc.nat() }), { maxLength: 300 });

test('every request gets exactly one response, matched by id, whatever the interleaving and response order', (t) => {
  fc.assert(
    fc.property(fc.constantFrom(1, 2, 4, 8, 16), startIndex, ops, (size, start, script) => {
      const { front, back } = createIoRing<Req, Rsp>(size, { startIndex: start });
      const outstanding = new Map<number, number>(); // id -> payload, pushed and not yet answered
      const answered = new Set<number>();
      const inService: Req[] = []; // taken by the back end, not yet answered
      let nextId = 0;

      const consume = (rsp: Rsp): void => {
        const payload = outstanding.get(rsp.id);
        check(payload !== undefined, `response for unknown or already answered id ${rsp.id}`);
        check(rsp.result === payload * 2, `response ${rsp.id} carries the wrong result`);
        check(!answered.has(rsp.id), `id ${rsp.id} answered twice`);
        outstanding.delete(rsp.id);
        answered.add(rsp.id);
      };
      const respond = (pick: number): void => {
        const [req] = inService.splice(pick % inService.length, 1);
        check(req !== undefined, 'nothing in service');
        back.pushResponse({ id: req.id, result: req.payload * 2 });
      };

      for (const { kind, pick } of script) {
        switch (kind) {
          case 'push': {
            const id = nextId * 7 + 3;
            if (front.full()) {
              check(outstanding.size === size, `full with ${outstanding.size} outstanding on a ${size}-slot ring`);
              let refused = false;
              try {
                front.pushRequest({ id, payload: id + 1 });
              } catch (error) {
                refused = error instanceof RingFullError;
              }
              check(refused, 'a push on a full ring was not refused with RingFullError');
            } else {
              front.pushRequest({ id, payload: id + 1 });
              outstanding.set(id, id + 1);
              nextId++;
            }
            break;
          }
          case 'publish':
            front.pushRequestsAndCheckNotify();
            break;
          case 'take': {
            const req = back.takeRequest();
            if (req !== undefined) inService.push(req);
            break;
          }
          case 'respond':
            if (inService.length > 0) respond(pick);
            break;
          case 'publishResponses':
            back.pushResponsesAndCheckNotify();
            break;
          case 'consume': {
            const rsp = front.takeResponse();
            if (rsp !== undefined) consume(rsp);
            break;
          }
        }
      }

      // Drain: everything pushed must come back exactly once.
      front.pushRequestsAndCheckNotify();
      for (let req = back.takeRequest(); req !== undefined; req = back.takeRequest()) inService.push(req);
      let pick = 0;
      while (inService.length > 0) respond((pick += 5));
      back.pushResponsesAndCheckNotify();
      for (let rsp = front.takeResponse(); rsp !== undefined; rsp = front.takeResponse()) consume(rsp);

      check(outstanding.size === 0, `${outstanding.size} requests never answered`);
      check(answered.size === nextId, 'answered count differs from pushed count');
      check(front.requestsPushed === nextId && back.requestsTaken === nextId, 'request counters disagree');
      check(back.responsesPushed === nextId && front.responsesTaken === nextId, 'response counters disagree');
      check(front.freeRequests() === size, 'a drained ring is not empty');
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('responses may be produced in reverse order and the front end still matches them by id', (t) => {
  const { front, back } = createIoRing<Req, Rsp>(4);
  for (const id of [10, 20, 30, 40]) front.pushRequest({ id, payload: id });
  front.pushRequests();
  const taken = [back.takeRequest(), back.takeRequest(), back.takeRequest(), back.takeRequest()];
  for (const req of taken.reverse()) if (req) back.pushResponse({ id: req.id, result: req.payload * 2 });
  back.pushResponses();
  const ids: number[] = [];
  for (let rsp = front.takeResponse(); rsp !== undefined; rsp = front.takeResponse()) ids.push(rsp.id);
  t.deepEqual(ids, [40, 30, 20, 10]);
});
