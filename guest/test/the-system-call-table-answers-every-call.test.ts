import test from 'ava';
import { Errno, type Operation, type Sys, type SyscallName } from '../src/index.js';
import { runGuest } from './helpers.js';

/** A raw system call, as a program that bypasses Sys (or a hostile one) can issue it. */
function* raw(call: string, ...args: unknown[]): Generator<Operation, unknown, unknown> {
  return yield { kind: 'syscall', call: call as SyscallName, args };
}

test('a call the kernel does not have gets -ENOSYS, is counted, and the program carries on', (t) => {
  const got: unknown[] = [];
  const env = runGuest(
    () =>
      function* (sys: Sys) {
        got.push(yield* raw('frobnicate', 1, 2));
        // Names an object's prototype has are not calls either.
        got.push(yield* raw('toString'));
        got.push(yield* raw('__proto__'));
        got.push(yield* raw('constructor'));
        got.push(yield* sys.getpid());
        return 0;
      },
  );
  t.deepEqual(got, [-Errno.ENOSYS, -Errno.ENOSYS, -Errno.ENOSYS, -Errno.ENOSYS, 1]);
  t.is(env.kernel.unknownSyscalls, 4);
  t.is(env.hv.counts(env.domain)['enosys'], 4);
});

test("brk moves the program break from the space's break page, and a forked child continues from its parent's", (t) => {
  const got: number[] = [];
  runGuest(
    () =>
      function* (sys: Sys) {
        const start = yield* sys.brk(0);
        got.push(start);
        const grown = yield* sys.brk(3 * 4096);
        got.push(grown - start);
        // The new heap pages are there to use.
        yield* sys.touch(start, 3 * 4096, { write: true });
        yield* sys.fork(function* (s) {
          got.push((yield* s.brk(4096)) - start);
          return 0;
        });
        yield* sys.wait();
        got.push((yield* sys.brk(-8192)) === -Errno.EINVAL ? -1 : 0);
        return 0;
      },
  );
  t.deepEqual(got, [0x8000 * 4096, 3 * 4096, 4 * 4096, -1]);
});

test('mmap refuses a private writable mapping larger than all the memory the kernel holds; smaller ones overcommit, read-only ones commit nothing', (t) => {
  const got: Record<string, boolean> = {};
  runGuest(
    (env) =>
      function* (sys: Sys) {
        // 128 MiB of memory, and a 200 MiB file.
        env.kernel.fs.create('/data/big', 200 << 20);
        got.anonymousTooBig = (yield* sys.mmap({ bytes: 200 << 20 })) === -Errno.ENOMEM;
        got.privateFileTooBig = (yield* sys.mmap({ bytes: 200 << 20, path: '/data/big' })) === -Errno.ENOMEM;
        got.readOnlyFile = (yield* sys.mmap({ bytes: 200 << 20, path: '/data/big', writable: false })) > 0;
        // Two of 100 MiB: together more than there is, each one could be backed.
        got.overcommitted = (yield* sys.mmap({ bytes: 100 << 20 })) > 0 && (yield* sys.mmap({ bytes: 100 << 20 })) > 0;
        return 0;
      },
  );
  t.deepEqual(got, { anonymousTooBig: true, privateFileTooBig: true, readOnlyFile: true, overcommitted: true });
});
