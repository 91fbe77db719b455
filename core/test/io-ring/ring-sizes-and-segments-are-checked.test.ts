import test from 'ava';
import fc from 'fast-check';
import { checkSegments, createIoRing, SharedRing } from '../../src/io-ring/io-ring.js';
import type { RingSegment } from '../../src/io-ring/io-ring.js';
import { RingDescriptorError } from '../../src/io-ring/ring-errors.js';
import { InvalidArgumentError, VisorkitError } from '../../src/errors/visorkit-error.js';
import { gfn, PAGE_SIZE } from '../../src/units/units.js';
import type { Gfn } from '../../src/units/units.js';

interface Req {
  readonly id: number;
  readonly segments?: readonly RingSegment[];
}
interface Rsp {
  readonly id: number;
}

test('a ring size that is not a power of two is an InvalidArgumentError', (t) => {
  for (const size of [0, 3, 6, 12, 1.5, -4, 2 ** 32, Number.NaN]) {
    t.throws(() => new SharedRing<Req, Rsp>(size), { instanceOf: InvalidArgumentError }, `size ${size}`);
  }
  for (const size of [1, 2, 64, 1024]) t.is(new SharedRing<Req, Rsp>(size).size, size);
});

test('a start index outside 32 bits is an InvalidArgumentError', (t) => {
  t.throws(() => new SharedRing<Req, Rsp>(4, { startIndex: 2 ** 32 }), { instanceOf: InvalidArgumentError });
  t.throws(() => new SharedRing<Req, Rsp>(4, { startIndex: -1 }), { instanceOf: InvalidArgumentError });
});

test('segments that stay within their guest frame are accepted', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: PAGE_SIZE - 1 }), fc.nat(), (offset, seed) => {
      const length = 1 + (seed % (PAGE_SIZE - offset));
      checkSegments([{ gfn: gfn(5), offset, length }]);
    }),
  );
  t.pass();
});

test('a segment that leaves its guest frame is refused with RingDescriptorError and nothing is pushed', (t) => {
  const bad: Array<[number, number]> = [
    [PAGE_SIZE, 1],
    [-1, 10],
    [0, 0],
    [0, PAGE_SIZE + 1],
    [4000, 97],
    [1.5, 10],
    [0, Number.NaN],
  ];
  for (const [offset, length] of bad) {
    const { front } = createIoRing<Req, Rsp>(4);
    const segments = [
      { gfn: gfn(1), offset: 0, length: 8 },
      { gfn: gfn(2), offset, length },
    ];
    const error = t.throws(() => front.pushRequest({ id: 1, segments }), { instanceOf: RingDescriptorError }, `offset ${offset}, length ${length}`);
    t.is(error?.segment, 1);
    t.true(VisorkitError.is(error));
    t.is(front.freeRequests(), 4);
    t.is(front.requestsPushed, 0);
  }
});

test('a segment whose gfn is not a frame number is refused', (t) => {
  t.throws(() => checkSegments([{ gfn: -3 as Gfn, offset: 0, length: 1 }]), { instanceOf: RingDescriptorError });
  t.throws(() => checkSegments(7 as unknown as RingSegment[]), { instanceOf: RingDescriptorError });
});
