import test from 'ava';
import { Errno, type Sys } from '../src/index.js';
import { runGuest } from './helpers.js';

test('a write of a count no buffer has (infinite, NaN, negative) is refused with EINVAL', (t) => {
  const got: number[] = [];
  runGuest(
    () =>
      function* (sys: Sys) {
        const fd = yield* sys.open('/tmp/x', { create: true });
        for (const n of [Infinity, Number.NaN, -1]) got.push(yield* sys.write(fd, n));
        return 0;
      },
  );
  t.deepEqual(got, [-Errno.EINVAL, -Errno.EINVAL, -Errno.EINVAL]);
});
