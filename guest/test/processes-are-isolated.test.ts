import test from 'ava';
import { pteFrame, type Gfn } from '@visorkit/core';
import type { Program, Sys } from '../src/index.js';
import { runGuest, type GuestEnv } from './helpers.js';

function frameOf(env: GuestEnv, pid: number, vpn: number): number {
  return pteFrame(env.kernel.processes.get(pid)!.space.present.get(vpn)!);
}

function bytesAt(env: GuestEnv, gfn: number): number[] {
  const out = new Uint8Array(3);
  env.hv.machine.memory.readBytes(env.hv.memory.machineFrame(env.domain, gfn as Gfn, 'read'), 0, out);
  return [...out];
}

function store(env: GuestEnv, gfn: number, value: number): void {
  env.hv.machine.memory.writeBytes(env.hv.memory.machineFrame(env.domain, gfn as Gfn, 'write'), 0, Uint8Array.of(value, value, value));
}

test('after fork, a write by the child lands in its own copy: the parent never sees it', (t) => {
  const seen: Record<string, unknown> = {};
  runGuest(
    (env) =>
      function* (sys: Sys) {
        const at = yield* sys.mmap({ bytes: 4096 });
        const vpn = at / 4096;
        yield* sys.touch(at, 8, { write: true });
        const me = yield* sys.getpid();
        const parentGfn = frameOf(env, me, vpn);
        store(env, parentGfn, 7); // the parent's store
        yield* sys.fork(function* (s) {
          yield* s.touch(at, 8, { write: true }); // copy-on-write fault
          const childGfn = frameOf(env, yield* s.getpid(), vpn);
          seen.childGfn = childGfn;
          seen.copied = bytesAt(env, childGfn);
          store(env, childGfn, 9); // the child's store
          return 0;
        });
        yield* sys.wait();
        seen.parentGfn = frameOf(env, me, vpn);
        seen.parentBytes = bytesAt(env, frameOf(env, me, vpn));
        return 0;
      },
  );
  t.not(seen.childGfn, seen.parentGfn);
  t.deepEqual(seen.copied, [7, 7, 7], "the child's copy starts with the parent's contents");
  t.deepEqual(seen.parentBytes, [7, 7, 7], "the child's write did not reach the parent");
});

test('the hardware translation agrees with the kernel after random mmap/touch/fork/munmap sequences', async (t) => {
  const fc = (await import('fast-check')).default;
  fc.assert(
    fc.property(fc.array(fc.record({ op: fc.constantFrom('map', 'touch', 'fork', 'unmap'), n: fc.integer({ min: 1, max: 12 }) }), { maxLength: 25 }), (ops) => {
      let agrees = true;
      // Set at the program's end: a program that stopped early checked nothing.
      let checkedAll = false;
      runGuest(
        (env) =>
          function* (sys: Sys) {
            const regions: { at: number; pages: number }[] = [];
            const me = yield* sys.getpid();
            for (const { op, n } of ops) {
              if (op === 'map') regions.push({ at: yield* sys.mmap({ bytes: n * 4096 }), pages: n });
              else if (op === 'touch' && regions.length > 0) {
                const r = regions[n % regions.length]!;
                yield* sys.touch(r.at, r.pages * 4096, { write: n % 2 === 0 });
              } else if (op === 'fork') {
                yield* sys.fork(function* (s) {
                  for (const r of regions) yield* s.touch(r.at, r.pages * 4096, { write: true });
                  return 0;
                });
                yield* sys.wait();
              } else if (op === 'unmap' && regions.length > 0) {
                const [r] = regions.splice(n % regions.length, 1);
                yield* sys.munmap(r!.at, r!.pages * 4096);
              }
              // What the MMU sees equals what the kernel believes it mapped.
              const space = env.kernel.processes.get(me)!.space;
              const vcpu = env.domain.vcpus[0]!;
              for (const [vpn, e] of space.present) if (env.hv.memory.translate(vcpu, vpn, false) !== pteFrame(e)) agrees = false;
              for (const r of regions)
                for (let v = r.at / 4096; v < r.at / 4096 + r.pages; v++)
                  if (!space.present.has(v) && env.hv.memory.translate(vcpu, v, false) !== -1) agrees = false;
            }
            checkedAll = true;
            return 0;
          },
      );
      return agrees && checkedAll;
    }),
    { numRuns: 25 },
  );
  t.pass();
});

/** Forks `child`, waits for it, and reports whether the parent got it back and carried on. */
function parentOf(child: Program) {
  const seen = { freeBefore: -1, reaped: false, afterwards: false };
  const env = runGuest(
    (e) =>
      function* (sys: Sys) {
        seen.freeBefore = e.kernel.frames.available;
        const pid = yield* sys.fork(child);
        seen.reaped = (yield* sys.wait()) === pid;
        seen.afterwards = true;
        return 0;
      },
  );
  return { env, ...seen };
}

test('touching unmapped memory kills only that process (SIGSEGV); its parent and the domain carry on', (t) => {
  const { env, reaped, afterwards } = parentOf(function* (s) {
    const at = yield* s.mmap({ bytes: 8192 });
    yield* s.touch(at, 8192, { write: true });
    yield* s.munmap(at, 8192);
    yield* s.touch(at, 4);
    return 0;
  });
  t.true(reaped);
  t.true(afterwards);
  t.is(env.domain.state, 'running');
});

test('a process touching more memory than the kernel has is OOM-killed and counted; its frames come back and its parent carries on', (t) => {
  const { env, reaped, afterwards, freeBefore } = parentOf(function* (s) {
    // Two mappings of 80 MiB: each could be backed (mmap overcommits), together they are
    // more than the domain's 128 MiB.
    const bytes = 80 << 20;
    const a = yield* s.mmap({ bytes });
    const b = yield* s.mmap({ bytes });
    if (a < 0 || b < 0) throw new Error(`mmap refused: ${a}, ${b}`);
    yield* s.touch(a, bytes, { write: true });
    yield* s.touch(b, bytes, { write: true });
    return 0;
  });
  t.true(reaped);
  t.true(afterwards);
  t.is(env.domain.state, 'running');
  t.is(env.hv.counts(env.domain)['oom-kill'], 1);
  // All but what the page cache kept is free again.
  t.true(env.kernel.frames.available > freeBefore - 64, `${env.kernel.frames.available} free, ${freeBefore} before`);
});

test('the same seed gives identical runs, mechanism counts included', (t) => {
  const prog = () =>
    function* (sys: Sys) {
      for (let i = 0; i < 5; i++) {
        yield* sys.fork(function* (s) {
          const at = yield* s.mmap({ bytes: 65536 });
          yield* s.touch(at, 65536, { write: true });
          return 0;
        });
        yield* sys.wait();
      }
      return 0;
    };
  const a = runGuest(prog);
  const b = runGuest(prog);
  t.deepEqual(a.hv.counts(), b.hv.counts());
  t.is(a.hv.now, b.hv.now);
  t.true((a.hv.counts()['page-copy'] ?? 0) + (a.hv.counts()['page-zero'] ?? 0) > 0);
});
