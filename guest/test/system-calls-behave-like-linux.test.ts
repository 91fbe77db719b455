import test from 'ava';
import { Errno, type Sys } from '../src/index.js';
import { runGuest } from './helpers.js';

test('bad arguments get the errno a Linux user expects', (t) => {
  const got: Record<string, unknown> = {};
  runGuest(
    () =>
      function* (sys: Sys) {
        got.closeBad = yield* sys.close(99);
        got.readBad = yield* sys.read(42, 10);
        got.waitNoChild = yield* sys.wait();
        got.openMissing = yield* sys.open('/no/such/file');
        got.statMissing = yield* sys.stat('/no/such/file');
        got.mmapZero = yield* sys.mmap({ bytes: 0 });
        got.munmapBad = yield* sys.munmap(12345, 4096);
        got.killNobody = yield* sys.kill(9999, 10);
        got.execMissing = yield* sys.exec('/bin/nothing');
        got.sigactionKill = yield* sys.sigaction(9, function* () {});
        return 0;
      },
  );
  t.deepEqual(got, {
    closeBad: -Errno.EBADF,
    readBad: -Errno.EBADF,
    waitNoChild: -Errno.ECHILD,
    openMissing: -Errno.ENOENT,
    statMissing: -Errno.ENOENT,
    mmapZero: -Errno.EINVAL,
    munmapBad: -Errno.EINVAL,
    killNobody: -Errno.ESRCH,
    execMissing: -Errno.ENOENT,
    sigactionKill: -Errno.EINVAL,
  });
});

test('a pipe carries bytes between processes, and a reader blocks until a writer writes', (t) => {
  const got: number[] = [];
  runGuest(
    () =>
      function* (sys: Sys) {
        const [r, w] = yield* sys.pipe();
        yield* sys.fork(function* (s) {
          yield* s.compute(1_000_000);
          yield* s.write(w, 100);
          return 0;
        });
        got.push(yield* sys.read(r, 1000));
        yield* sys.wait();
        return 0;
      },
  );
  t.deepEqual(got, [100]);
});

test('an installed handler runs when the signal arrives, and the program carries on', (t) => {
  const order: string[] = [];
  runGuest(
    () =>
      function* (sys: Sys) {
        yield* sys.sigaction(10, function* () {
          order.push('handler');
        });
        yield* sys.kill(yield* sys.getpid(), 10);
        order.push('after');
        return 0;
      },
  );
  t.deepEqual(order, ['handler', 'after']);
});
