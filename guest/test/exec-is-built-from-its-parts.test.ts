import 'reflect-metadata';
import test from 'ava';
import { MechanismIndex, server2007 } from '@visorkit/core';
import { DYNAMIC_LINKER_WORK, GUEST_FITTED, type Program } from '../src/index.js';
import { runGuest } from './helpers.js';

interface Exec {
  readonly ns: number;
  readonly syscalls: number;
}

/** Times fork + exec(path) + wait, `times` in a row, from a program that installed `path` first. */
function execs(libraries: readonly string[], times: number): Exec[] {
  const out: Exec[] = [];
  runGuest(
    (env) =>
      function* (sys) {
        env.kernel.install('/bin/probe', {
          program: function* () {
            return 0;
          },
          textPages: 4,
          dataPages: 1,
          bssPages: 1,
          libraries,
        });
        for (let i = 0; i < times; i++) {
          const before = env.domain.counts[MechanismIndex.Syscall]!;
          const start = yield* sys.now();
          const child: Program = function* (s) {
            yield* s.exec('/bin/probe');
            return 1;
          };
          yield* sys.fork(child);
          yield* sys.wait();
          out.push({ ns: (yield* sys.now()) - start, syscalls: env.domain.counts[MechanismIndex.Syscall]! - before });
        }
        return 0;
      },
  );
  return out;
}

test("a dynamically linked program's exec runs ld.so: its system calls go through the kernel and libc's relocations cost their look-ups", (t) => {
  const [dynamic] = execs(['/lib/ld-linux.so.2', '/lib/libc.so'], 1);
  const [staticLinked] = execs([], 1);
  // brk, access, open/fstat/mmap/close/munmap of the cache, open/read/fstat/close of libc, the TLS mmap.
  t.true(dynamic!.syscalls >= staticLinked!.syscalls + 11, `${dynamic!.syscalls} system calls against ${staticLinked!.syscalls}`);
  const relocations = DYNAMIC_LINKER_WORK.value.libcSymbolRelocations * GUEST_FITTED.value.symbolLookup;
  t.true(dynamic!.ns - staticLinked!.ns > relocations / server2007.cpu.clockGhz, `${dynamic!.ns} ns against ${staticLinked!.ns} ns`);
});

test('exec reads the binary through the page cache: the first exec fills it, later ones hit', (t) => {
  const [first, second, third] = execs([], 3);
  t.true(first!.ns > second!.ns, `first ${first!.ns} ns, second ${second!.ns} ns`);
  t.true(Math.abs(second!.ns - third!.ns) < 0.05 * second!.ns, `second ${second!.ns} ns, third ${third!.ns} ns`);
});
