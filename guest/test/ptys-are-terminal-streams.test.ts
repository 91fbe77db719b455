import 'reflect-metadata';
import test from 'ava';
import fc from 'fast-check';
import { Errno, PTY_CAPACITY, type Sys } from '../src/index.js';
import { runGuest } from './helpers.js';

test('a session on a pty: what the master types reaches the shell on the slave, its output comes back, and hanging up ends it', (t) => {
  const log: Record<string, number> = {};
  const env = runGuest(
    () =>
      function* (sys: Sys) {
        const master = yield* sys.openpty();
        const n = yield* sys.ptsname(master);
        log.n = n;
        // A login session: the child opens the terminal and runs a "shell" that answers each
        // command with twice its length of output, until the terminal hangs up.
        const shell = yield* sys.fork(function* (s: Sys) {
          yield* s.close(master); // the session keeps only the terminal (login_tty)
          const tty = yield* s.open(`/dev/pts/${n}`);
          if (tty < 0) return 100;
          let commands = 0;
          for (;;) {
            const got = yield* s.read(tty, 1024);
            if (got === 0) break; // hung up
            commands++;
            yield* s.write(tty, 2 * got);
          }
          log.afterHangup = yield* s.write(tty, 1);
          return commands;
        });
        let echoed = 0;
        for (const command of [10, 200, 37]) {
          yield* sys.write(master, command);
          // Read until the whole answer is back (output may come in pieces).
          for (let want = 2 * command; want > 0; ) {
            const got = yield* sys.read(master, 4096);
            if (got <= 0) return 1;
            want -= got;
            echoed += got;
          }
        }
        log.echoed = echoed;
        yield* sys.close(master);
        log.reaped = yield* sys.wait();
        log.shell = shell;
        return 0;
      },
  );
  t.is(log.n, 0, 'the first pty is /dev/pts/0');
  t.is(log.echoed, 2 * (10 + 200 + 37), 'every byte of output came back to the master');
  t.is(log.afterHangup, -Errno.EIO, 'writing to a hung-up terminal fails');
  t.is(log.reaped, log.shell);
  t.is(env.kernel.processes.size, 0);
});

test('a pty carries exactly the bytes written, whatever the chunking, blocking the writer while the line discipline is full', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 3 * PTY_CAPACITY }), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 1, max: 2 * PTY_CAPACITY }),
      (writes, readSize) => {
        const total = writes.reduce((s, w) => s + w, 0);
        let received = 0;
        let eof = false;
        runGuest(
          () =>
            function* (sys: Sys) {
              const master = yield* sys.openpty();
              const n = yield* sys.ptsname(master);
              const tty = yield* sys.open(`/dev/pts/${n}`);
              yield* sys.fork(function* (s: Sys) {
                // The reader keeps only the slave.
                yield* s.close(master);
                for (;;) {
                  const got = yield* s.read(tty, readSize);
                  if (got <= 0) break;
                  received += got;
                }
                eof = true;
                return 0;
              });
              yield* sys.close(tty);
              for (const w of writes) for (let left = w; left > 0; ) left -= yield* sys.write(master, left);
              // Hang up: the reader still drains what is buffered, then reads end of file.
              yield* sys.close(master);
              yield* sys.wait();
              return 0;
            },
        );
        return eof && received === total;
      },
    ),
    { numRuns: 15 },
  );
  t.pass();
});

test('pty calls give the errno a Linux program expects', (t) => {
  const got: Record<string, number> = {};
  runGuest(
    () =>
      function* (sys: Sys) {
        got.none = yield* sys.open('/dev/pts/0');
        const a = yield* sys.open('/dev/ptmx');
        const b = yield* sys.openpty();
        got.a = yield* sys.ptsname(a);
        got.b = yield* sys.ptsname(b);
        got.count = yield* sys.ptys();
        got.statSlave = yield* sys.stat('/dev/pts/1');
        got.notTty = yield* sys.ptsname(0);
        got.badFd = yield* sys.ptsname(99);
        got.badName = yield* sys.open('/dev/pts/01');
        got.lseek = yield* sys.lseek(a, 0);
        // Nothing typed yet: the master polls as not readable; after the slave prints, it is.
        const slave = yield* sys.open('/dev/pts/0');
        got.readyBefore = yield* sys.select([a], 0);
        yield* sys.write(slave, 5);
        got.readyAfter = yield* sys.select([a], 0);
        got.read = yield* sys.read(a, 100);
        // The slave closed: the master reads end of file, and typing at it fails.
        yield* sys.close(slave);
        got.eof = yield* sys.read(a, 100);
        got.typeAtGone = yield* sys.write(a, 1);
        yield* sys.close(a);
        got.gone = yield* sys.stat('/dev/pts/0');
        got.countAfter = yield* sys.ptys();
        got.reused = yield* sys.ptsname(yield* sys.openpty());
        return 0;
      },
  );
  t.deepEqual(got, {
    none: -Errno.ENOENT,
    a: 0,
    b: 1,
    count: 2,
    statSlave: 0,
    notTty: -Errno.ENOTTY,
    badFd: -Errno.EBADF,
    badName: -Errno.ENOENT,
    lseek: -Errno.ESPIPE,
    readyBefore: 0,
    readyAfter: 1,
    read: 5,
    eof: 0,
    typeAtGone: -Errno.EIO,
    gone: -Errno.ENOENT,
    countAfter: 1,
    reused: 0,
  });
});

test('what is typed before the slave is opened waits for it; a master read waits for the first output', (t) => {
  const got: number[] = [];
  runGuest(
    () =>
      function* (sys: Sys) {
        const master = yield* sys.openpty();
        got.push(yield* sys.write(master, 300)); // buffered: nobody has the terminal open yet
        yield* sys.fork(function* (s: Sys) {
          yield* s.compute(2_000_000);
          const tty = yield* s.open('/dev/pts/0');
          got.push(yield* s.read(tty, 1000));
          yield* s.write(tty, 7);
          return 0;
        });
        got.push(yield* sys.read(master, 1000)); // sleeps until the child prints
        yield* sys.wait();
        return 0;
      },
  );
  t.deepEqual(got, [300, 300, 7]);
});
