import type { Program, Sys } from '@visorkit/guest';

/**
 * The micro-benchmark metric names (public interface).
 *
 * @public
 */
export const MICRO_METRICS = [
  'null-call',
  'null-io',
  'stat',
  'open-close',
  'slct-tcp',
  'sig-inst',
  'sig-hndl',
  'fork',
  'exec',
  'sh',
  'ctx-2p-0k',
  'ctx-2p-16k',
  'ctx-2p-64k',
  'ctx-8p-16k',
  'ctx-8p-64k',
  'ctx-16p-16k',
  'ctx-16p-64k',
  'mmap-64mb',
  'mmap-256mb',
  'page-fault',
] as const;

/**
 * One micro metric.
 *
 * @public
 */
export type MicroMetric = (typeof MICRO_METRICS)[number];

/**
 * Where each benchmark writes its result (µs per operation).
 *
 * @public
 */
export type Results = Partial<Record<MicroMetric, number>>;

/** Times `n` repetitions of `body` and returns µs per repetition. */
function* timed(sys: Sys, n: number, body: () => Generator<unknown, unknown, unknown>): Generator<never, number, unknown> {
  const t0 = yield* sys.now() as Generator<never, number, unknown>;
  for (let i = 0; i < n; i++) yield* body() as Generator<never, unknown, unknown>;
  return ((yield* sys.now() as Generator<never, number, unknown>) - t0) / n / 1000;
}

const SIGUSR1 = 10;
const FILE = '/etc/passwd';

/**
 * lmbench-style micro-benchmarks (McVoy & Staelin, USENIX 1996), measured the way lmbench
 * measures them, as guest programs timing themselves with the guest's clock:
 * - `null-call`: getppid; `null-io`: a one-byte write to /dev/null; `stat`; `open-close`;
 * - `slct-tcp`: select polling 100 connected TCP sockets (lat_select -n 100 tcp);
 * - `sig-inst`: installing a handler; `sig-hndl`: sending oneself a signal and handling it;
 * - `fork`: fork, the child exits at once, the parent waits; `exec`: the child execs a small
 *   program; `sh`: the child execs /bin/sh, which execs the small program;
 * - `ctx-Np-Kk`: N processes in a ring of pipes pass a token, each touching K KiB of its own
 *   data on receipt; the time per switch minus the same work without switching;
 * - `mmap-64mb` / `mmap-256mb`: map a cached file (populated), touch it every 64 KiB, unmap;
 * - `page-fault`: fault in pages of a cached file mapping one at a time.
 *
 * @public
 */
export function microBenchmark(metrics: readonly MicroMetric[], results: Results): Program {
  return function* (sys: Sys) {
    const want = (m: MicroMetric): boolean => metrics.includes(m);
    if (want('null-call'))
      results['null-call'] = yield* timed(sys, 200, function* () {
        yield* sys.getppid();
      });
    if (want('null-io')) {
      const fd = yield* sys.open('/dev/null');
      results['null-io'] = yield* timed(sys, 200, function* () {
        yield* sys.write(fd, 1);
      });
      yield* sys.close(fd);
    }
    if (want('stat'))
      results.stat = yield* timed(sys, 100, function* () {
        yield* sys.stat(FILE);
      });
    if (want('open-close'))
      results['open-close'] = yield* timed(sys, 100, function* () {
        yield* sys.close(yield* sys.open(FILE));
      });
    if (want('slct-tcp')) results['slct-tcp'] = yield* selectTcp(sys, 100);
    if (want('sig-inst'))
      results['sig-inst'] = yield* timed(sys, 100, function* () {
        yield* sys.sigaction(SIGUSR1, function* () {});
      });
    if (want('sig-hndl')) {
      yield* sys.sigaction(SIGUSR1, function* () {});
      const me = yield* sys.getpid();
      results['sig-hndl'] = yield* timed(sys, 100, function* () {
        yield* sys.kill(me, SIGUSR1);
      });
    }
    // Warm the caches (page cache, libc) as lmbench's warm-up iterations do.
    yield* sys.fork(function* (s) {
      yield* s.exec('/bin/sh');
      return 1;
    });
    yield* sys.wait();
    if (want('fork'))
      results.fork = yield* timed(sys, 40, function* () {
        yield* sys.fork(function* () {
          return 0;
        });
        yield* sys.wait();
      });
    if (want('exec'))
      results.exec = yield* timed(sys, 20, function* () {
        yield* sys.fork(function* (s) {
          yield* s.exec('/bin/hello');
          return 1;
        });
        yield* sys.wait();
      });
    if (want('sh'))
      results.sh = yield* timed(sys, 10, function* () {
        yield* sys.fork(function* (s) {
          yield* s.exec('/bin/sh');
          return 1;
        });
        yield* sys.wait();
      });
    for (const [n, k] of [
      [2, 0],
      [2, 16],
      [2, 64],
      [8, 16],
      [8, 64],
      [16, 16],
      [16, 64],
    ] as const) {
      const m = `ctx-${n}p-${k}k` as MicroMetric;
      if (want(m)) results[m] = yield* contextSwitch(sys, n, k * 1024);
    }
    for (const [m, mb] of [
      ['mmap-64mb', 64],
      ['mmap-256mb', 256],
    ] as const) {
      if (!want(m)) continue;
      // Warm-up: bring the file into the page cache, as lmbench's first iteration does.
      const warm = yield* sys.mmap({ bytes: mb * 1048576, path: `/data/${mb}mb`, populate: true });
      yield* sys.munmap(warm, mb * 1048576);
      results[m] = yield* timed(sys, 3, function* () {
        const bytes = mb * 1048576;
        const at = yield* sys.mmap({ bytes, path: `/data/${mb}mb`, populate: true });
        yield* sys.touch(at, bytes, { stride: 65536 });
        yield* sys.munmap(at, bytes);
      });
    }
    if (want('page-fault')) {
      const bytes = 4 * 1048576;
      const warm = yield* sys.mmap({ bytes, path: '/data/4mb', populate: true });
      yield* sys.munmap(warm, bytes);
      const at = yield* sys.mmap({ bytes, path: '/data/4mb' });
      // One fault per page: stride past the fault-around window so each access faults alone.
      const pages = bytes / 4096;
      const t0 = yield* sys.now();
      for (let i = 0; i < pages; i += 16) yield* sys.touch(at + i * 4096, 1);
      results['page-fault'] = ((yield* sys.now()) - t0) / (pages / 16) / 1000;
      yield* sys.munmap(at, bytes);
    }
    return 0;
  };
}

/** lat_select on TCP: select (polling) over `n` connected loopback TCP sockets. */
function* selectTcp(sys: Sys, n: number): Generator<never, number, unknown> {
  const y = <T>(g: Generator<unknown, T, unknown>) => g as Generator<never, T, unknown>;
  const listener = yield* y(sys.socket());
  yield* y(sys.bind(listener, 7000));
  yield* y(sys.listen(listener));
  const fds: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = yield* y(sys.socket());
    if ((yield* y(sys.connect(s, LOOPBACK, 7000))) !== 0) return Number.NaN;
    fds.push(s);
  }
  return yield* timed(sys, 100, function* () {
    yield* sys.select(fds, 0);
  });
}

/**
 * The address the micro-benchmark guest is given (its own connections loop back).
 *
 * @public
 */
export const LOOPBACK = '10.0.0.1';

/** lat_ctx: `n` processes in a ring pass a token through pipes, each touching `bytes` of its data. */
function* contextSwitch(sys: Sys, n: number, bytes: number): Generator<never, number, unknown> {
  const rounds = 20;
  const data = yield* sys.mmap({ bytes: Math.max(bytes, 4096) * 1 }) as Generator<never, number, unknown>;
  const ring: [number, number][] = [];
  for (let i = 0; i < n; i++) ring.push(yield* sys.pipe() as Generator<never, [number, number], unknown>);
  const worker = (i: number) =>
    function* (s: Sys) {
      const buf = yield* s.mmap({ bytes: Math.max(bytes, 4096) });
      // A warm-up lap, the timed laps, and a last lap after timing, so no exit is timed.
      for (let r = 0; r < rounds + 2; r++) {
        yield* s.read(ring[i]![0], 1);
        if (bytes > 0) yield* s.touch(buf, bytes, { stride: 4 });
        yield* s.write(ring[(i + 1) % n]![1], 1);
      }
      return 0;
    };
  for (let i = 1; i < n; i++) yield* sys.fork(worker(i)) as Generator<never, number, unknown>;
  // One untimed lap first, as lmbench warms up: every process faults its data in.
  yield* sys.write(ring[1 % n]![1], 1) as Generator<never, number, unknown>;
  yield* sys.read(ring[0]![0], 1) as Generator<never, number, unknown>;
  if (bytes > 0) yield* sys.touch(data, bytes, { stride: 4 }) as Generator<never, void, unknown>;
  const t0 = yield* sys.now() as Generator<never, number, unknown>;
  yield* sys.write(ring[1 % n]![1], 1) as Generator<never, number, unknown>;
  for (let r = 0; r < rounds; r++) {
    yield* sys.read(ring[0]![0], 1) as Generator<never, number, unknown>;
    if (bytes > 0) yield* sys.touch(data, bytes, { stride: 4 }) as Generator<never, void, unknown>;
    if (r < rounds - 1) yield* sys.write(ring[1 % n]![1], 1) as Generator<never, number, unknown>;
  }
  const elapsed = (yield* sys.now() as Generator<never, number, unknown>) - t0;
  yield* sys.write(ring[1 % n]![1], 1) as Generator<never, number, unknown>;
  yield* sys.read(ring[0]![0], 1) as Generator<never, number, unknown>;
  for (let i = 1; i < n; i++) yield* sys.wait() as Generator<never, number, unknown>;
  // Overhead: the same pipe traffic and data touching in one process, with no switches.
  const [r, w] = yield* sys.pipe() as Generator<never, [number, number], unknown>;
  const o0 = yield* sys.now() as Generator<never, number, unknown>;
  for (let i = 0; i < rounds * n; i++) {
    yield* sys.write(w, 1) as Generator<never, number, unknown>;
    yield* sys.read(r, 1) as Generator<never, number, unknown>;
    if (bytes > 0) yield* sys.touch(data, bytes, { stride: 4 }) as Generator<never, void, unknown>;
  }
  const overhead = (yield* sys.now() as Generator<never, number, unknown>) - o0;
  return Math.max(0, (elapsed - overhead) / (rounds * n) / 1000);
}
