import { Prng } from '@visorkit/core';
import type { Program, Sys } from '@visorkit/guest';

/**
 * Bytes or jobs done, shared with the experiment.
 *
 * @public
 */
export interface WorkCounter {
  units: number;
}

/**
 * A dbench-like file-system load (dbench replays the NetBench file-server trace): `clients`
 * processes each create their own files, write them in 4–64 KiB pieces, read them back,
 * stat them, and every few files fsync one. Counts bytes moved.
 *
 * @public
 */
export function dbench(moved: WorkCounter, options: { clients?: number; random?: Prng } = {}): Program {
  const clients = options.clients ?? 4;
  return function* (sys: Sys) {
    const client = (c: number): Program =>
      function* (s: Sys) {
        const rng = (options.random ?? new Prng(1)).fork(`dbench-client-${c}`);
        for (let file = 0; ; file = (file + 1) % 64) {
          const path = `/clients/${c}/file${file}`;
          const fd = yield* s.open(path, { create: true });
          yield* s.lseek(fd, 0);
          let size = 0;
          const pieces = 1 + Math.floor(rng.next() * 8);
          for (let i = 0; i < pieces; i++) {
            const bytes = 4096 * (1 + Math.floor(rng.next() * 16));
            yield* s.write(fd, bytes);
            size += bytes;
          }
          if (file % 8 === 0) yield* s.fsync(fd);
          yield* s.lseek(fd, 0);
          const got = yield* s.read(fd, size);
          yield* s.close(fd);
          yield* s.stat(path);
          yield* s.compute(200_000);
          moved.units += size + Math.max(0, got);
        }
      };
    for (let c = 0; c < clients; c++) yield* sys.fork(client(c));
    for (let c = 0; c < clients; c++) yield* sys.wait();
    return 0;
  };
}

/** Sources of the build: `SOURCES` files of 24 KiB, and headers every compile reads. */
const SOURCES = 64;
const SOURCE_BYTES = 24 << 10;
const HEADER_BYTES = 256 << 10;

/**
 * The build's files as `bootGuest` takes them.
 *
 * @public
 */
export function buildFiles(): Record<string, number> {
  const files: Record<string, number> = { '/src/include/headers.h': HEADER_BYTES };
  for (let i = 0; i < SOURCES; i++) files[`/src/file${i}.c`] = SOURCE_BYTES;
  return files;
}

/**
 * A kernel-build-like mix (`make -j2` of a tree of C files): make forks a child per file
 * that execs the compiler; the compiler reads its source and the headers, computes (parsing,
 * optimisation, code generation), maps and touches its working memory, writes the object and
 * exits. Process creation, exec, page faults, file I/O and computation in proportions like a
 * real build's. Counts compiled files; runs until stopped (the tree is rebuilt).
 *
 * @public
 */
export function build(compiled: WorkCounter, options: { jobs?: number } = {}): { make: Program; cc: Program } {
  const jobs = options.jobs ?? 2;
  let next = 0;
  const cc: Program = function* (s: Sys) {
    const file = next++ % SOURCES;
    for (const path of [`/src/file${file}.c`, '/src/include/headers.h']) {
      const fd = yield* s.open(path);
      yield* s.read(fd, HEADER_BYTES);
      yield* s.close(fd);
    }
    const heap = yield* s.mmap({ bytes: 1536 << 10 });
    yield* s.touch(heap, 1536 << 10, { stride: 4096, write: true });
    yield* s.compute(40_000_000);
    const out = yield* s.open(`/obj/file${file}.o`, { create: true });
    yield* s.lseek(out, 0);
    yield* s.write(out, 16 << 10);
    yield* s.close(out);
    compiled.units++;
    return 0;
  };
  const make: Program = function* (sys: Sys) {
    for (;;) {
      for (let j = 0; j < jobs; j++)
        yield* sys.fork(function* (s: Sys) {
          yield* s.exec('/usr/bin/cc');
          return 127;
        });
      for (let j = 0; j < jobs; j++) yield* sys.wait();
    }
  };
  return { make, cc };
}

/**
 * `dd if=/dev/zero of=/scratch/big bs=64k`, forever: a disk-bandwidth hog that also fills
 * the page cache with dirty data (it rewrites a 256 MiB file in a loop).
 *
 * @public
 */
export function ddHog(written: WorkCounter): Program {
  return function* (sys: Sys) {
    const fd = yield* sys.open('/scratch/big', { create: true });
    for (let offset = 0; ; offset = (offset + 65536) % (256 << 20)) {
      yield* sys.lseek(fd, offset);
      if ((yield* sys.write(fd, 65536)) > 0) written.units += 65536;
    }
  };
}

/**
 * A fork bomb (`:(){ :|:& };:`): every process forks copies of itself as fast as it can and
 * keeps the CPU busy, until the kernel's process limit (or a container's) refuses more.
 *
 * @public
 */
export function forkBomb(spawned: WorkCounter): Program {
  const bomb: Program = function* (sys: Sys) {
    for (;;) {
      if ((yield* sys.fork(bomb)) > 0) spawned.units++;
      yield* sys.compute(1_000_000);
    }
  };
  return bomb;
}
