import test from 'ava';
import fc from 'fast-check';
import { CacheOccupancy } from '../../src/index.js';

const KiB = 1024;

test('occupancy never exceeds a level, whatever owners touch', (t) => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 1024 * KiB })), { maxLength: 200 }), (touches) => {
      const c = new CacheOccupancy([
        { capacityBytes: 16 * KiB, lineBytes: 64 },
        { capacityBytes: 512 * KiB, lineBytes: 64 },
      ]);
      for (const [owner, bytes] of touches) {
        c.touch(owner, bytes);
        if (c.occupancy(0) > 16 * KiB || c.occupancy(1) > 512 * KiB) return false;
      }
      return true;
    }),
  );
  t.pass();
});

test('N processes of S bytes each, touched in turn: nothing refetched while N × S fits, everything once it does not', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 32 }), fc.integer({ min: 1, max: 128 }), (n, sKiB) => {
      const capacity = 512 * KiB;
      const c = new CacheOccupancy([{ capacityBytes: capacity, lineBytes: 64 }]);
      const bytes = sKiB * KiB;
      for (let lap = 0; lap < 2; lap++) for (let p = 0; p < n; p++) c.touch(p, bytes);
      c.touch(0, bytes);
      const misses = c.missesAt(0);
      return n * bytes <= capacity ? misses === 0 : misses === bytes / 64;
    }),
  );
  t.pass();
});

test("a first touch is no miss of the cache's; the same set again misses nothing; after a larger owner's sweep, all of it", (t) => {
  const c = new CacheOccupancy([{ capacityBytes: 64 * KiB, lineBytes: 64 }]);
  c.touch(1, 32 * KiB);
  t.is(c.missesAt(0), 0);
  c.touch(1, 32 * KiB);
  t.is(c.missesAt(0), 0);
  c.touch(2, 128 * KiB);
  c.touch(1, 32 * KiB);
  t.is(c.missesAt(0), 512);
});
