import 'reflect-metadata';
import test from 'ava';
import { Errno, type Sys } from '../src/index.js';
import { runGuest } from './helpers.js';

test('a reader asleep on an empty pipe wakes with end of file when the last writer closes', (t) => {
  const got: number[] = [];
  const env = runGuest(
    () =>
      function* (sys: Sys) {
        const [r, w] = yield* sys.pipe();
        yield* sys.fork(function* (s: Sys) {
          yield* s.close(w);
          got.push(yield* s.read(r, 100)); // sleeps: the parent still holds the write end
          return 0;
        });
        yield* sys.close(r);
        yield* sys.sleep(5_000_000); // the child runs meanwhile
        yield* sys.close(w);
        yield* sys.wait();
        return 0;
      },
  );
  t.deepEqual(got, [0]);
  t.is(env.kernel.processes.size, 0, 'nobody is left asleep');
});

test('a writer asleep on a full pipe wakes with EPIPE when the last reader exits', (t) => {
  const got: number[] = [];
  runGuest(
    () =>
      function* (sys: Sys) {
        const [r, w] = yield* sys.pipe();
        yield* sys.fork(function* (s: Sys) {
          yield* s.close(r);
          got.push(yield* s.write(w, 65536));
          got.push(yield* s.write(w, 1)); // full: sleeps until the reader goes
          return 0;
        });
        yield* sys.close(w);
        yield* sys.sleep(5_000_000); // the child runs meanwhile
        yield* sys.exit(0);
      },
  );
  t.deepEqual(got, [65536, -Errno.EPIPE]);
});
