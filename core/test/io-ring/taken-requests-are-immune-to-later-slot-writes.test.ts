import test from 'ava';
import fc from 'fast-check';
import { checkSegments, createIoRing } from '../../src/io-ring/io-ring.js';
import type { RingSegment } from '../../src/io-ring/io-ring.js';
import { gfn } from '../../src/units/units.js';

interface BlockReq {
  readonly id: number;
  readonly op: 'read' | 'write';
  readonly segments: readonly RingSegment[];
  readonly tag?: Uint8Array;
}
interface BlockRsp {
  readonly id: number;
  readonly status: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

test('a request taken by the back end is unaffected by later writes to its shared slot', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ frame: fc.nat({ max: 1 << 20 }), offset: fc.integer({ min: 0, max: 4095 }) }), { minLength: 1, maxLength: 11 }),
      fc.integer({ min: 1, max: 2 ** 31 }),
      (raw, id) => {
        const { shared, front, back } = createIoRing<BlockReq, BlockRsp>(4);
        const segments = raw.map(({ frame, offset }) => ({ gfn: gfn(frame), offset, length: 4096 - offset }));
        const original: BlockReq = { id, op: 'read', segments, tag: new Uint8Array([1, 2, 3]) };
        front.pushRequest(original);
        front.pushRequests();
        const taken = back.takeRequest();
        if (taken === undefined) return false;
        const before = JSON.stringify({ ...taken, tag: [...(taken.tag ?? [])] });

        // The front end scribbles over everything it shared: the record, its segments, its bytes, the slot.
        const scribble = original as Mutable<BlockReq>;
        scribble.id = -1;
        scribble.op = 'write';
        for (const s of segments as Mutable<RingSegment>[]) {
          s.offset = 4095;
          s.length = 4096;
        }
        (segments as RingSegment[]).push({ gfn: gfn(0), offset: 0, length: 1 });
        original.tag?.fill(0xff);
        shared.slots[0] = { id: -2, op: 'write', segments: [] };

        const after = JSON.stringify({ ...taken, tag: [...(taken.tag ?? [])] });
        if (before !== after || taken.id !== id) return false;
        checkSegments(taken.segments); // validating the copy still passes
        return true;
      },
    ),
  );
  t.pass();
});

test('each field of a shared slot is fetched exactly once by takeRequest', (t) => {
  const { shared, front, back } = createIoRing<BlockReq, BlockRsp>(2);
  front.pushRequest({ id: 1, op: 'read', segments: [] });
  front.pushRequests();
  let idReads = 0;
  // A hostile front end serves a different id on every read of the slot.
  shared.slots[0] = {
    get id() {
      idReads++;
      return idReads === 1 ? 1 : 666;
    },
    op: 'read',
    segments: [],
  };
  const taken = back.takeRequest();
  t.is(taken?.id, 1);
  t.is(taken?.id, 1);
  t.is(idReads, 1);
});

test('a caller-supplied copyRequest is used to take requests', (t) => {
  const copies: number[] = [];
  const { front, back } = createIoRing<BlockReq, BlockRsp>(2, {
    copyRequest: (shared) => {
      copies.push(shared.id);
      return { id: shared.id, op: shared.op, segments: shared.segments.map((s) => ({ ...s })) };
    },
  });
  const original: BlockReq = { id: 9, op: 'write', segments: [{ gfn: gfn(3), offset: 0, length: 512 }] };
  front.pushRequest(original);
  front.pushRequests();
  const taken = back.takeRequest();
  t.deepEqual(copies, [9]);
  t.deepEqual(taken, original);
  t.not(taken, original);
  t.not(taken?.segments, original.segments);
});
