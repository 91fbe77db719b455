import 'reflect-metadata';
import test from 'ava';
import fc from 'fast-check';
import { checkpointWhenQuiescent, createHypervisor, restoreDomain, server2007, type Hypervisor } from '@visorkit/core';
import { bootGuest, guestKernelRestorer, type BootOptions, type Operation, type Program, type Sys, type SyscallName } from '@visorkit/guest';
import { xenPvPlugin } from '@visorkit/xen-pv';

/** One step of a generated program. */
type Step =
  | { readonly op: 'compute'; readonly n: number }
  | { readonly op: 'map'; readonly n: number }
  | { readonly op: 'brk'; readonly n: number }
  | { readonly op: 'fork'; readonly n: number }
  | { readonly op: 'pipe'; readonly n: number }
  | { readonly op: 'signal'; readonly n: number }
  | { readonly op: 'sleep'; readonly n: number }
  | { readonly op: 'file'; readonly n: number }
  | { readonly op: 'crash'; readonly n: number }
  | { readonly op: 'unknown'; readonly n: number };

const STEP = fc.record({
  op: fc.constantFrom('compute', 'map', 'brk', 'fork', 'pipe', 'signal', 'sleep', 'file', 'crash', 'unknown'),
  n: fc.integer({ min: 1, max: 8 }),
}) as fc.Arbitrary<Step>;

/** A deterministic program doing `steps`: a bit of every kind of state the kernel keeps. */
function program(steps: readonly Step[]): Program {
  return function* (sys: Sys) {
    const me = yield* sys.getpid();
    let handled = 0;
    for (const [i, s] of steps.entries()) {
      switch (s.op) {
        case 'compute':
          yield* sys.compute(s.n * 200_000);
          break;
        case 'map': {
          const at = yield* sys.mmap({ bytes: s.n * 65536 });
          yield* sys.touch(at, s.n * 65536, { write: i % 2 === 0 });
          break;
        }
        case 'brk': {
          const end = yield* sys.brk(s.n * 4096);
          yield* sys.touch(end - s.n * 4096, s.n * 4096, { write: true });
          break;
        }
        case 'fork':
          yield* sys.fork(function* (c) {
            yield* c.compute(s.n * 100_000);
            const at = yield* c.mmap({ bytes: 16384 });
            yield* c.touch(at, 16384, { write: true });
            return s.n;
          });
          if (s.n % 2 === 0) yield* sys.wait();
          break;
        case 'pipe': {
          const [r, w] = yield* sys.pipe();
          yield* sys.fork(function* (c) {
            yield* c.sleep(s.n * 1e5);
            yield* c.write(w, s.n * 1000);
            return 0;
          });
          yield* sys.close(w);
          yield* sys.read(r, 1 << 20);
          yield* sys.close(r);
          yield* sys.wait();
          break;
        }
        case 'signal':
          yield* sys.sigaction(10 + (s.n % 3), function* (h) {
            handled++;
            yield* h.compute(10_000);
            return 0;
          });
          yield* sys.kill(me, 10 + (s.n % 3));
          break;
        case 'sleep':
          yield* sys.sleep(s.n * 2e5);
          break;
        case 'file': {
          const fd = yield* sys.open(`/data/f${s.n}`, { create: true });
          yield* sys.write(fd, s.n * 8192);
          if (s.n % 3 === 0) yield* sys.fsync(fd);
          yield* sys.lseek(fd, 0);
          yield* sys.read(fd, 4096);
          yield* sys.close(fd);
          break;
        }
        case 'crash':
          yield* sys.fork(function* () {
            throw new Error(`step ${i} crashes`);
          });
          break;
        case 'unknown':
          yield { kind: 'syscall', call: `nosuch${s.n}` as SyscallName, args: [] } as Operation;
          break;
      }
    }
    for (;;) if ((yield* sys.wait()) < 0) break;
    return handled;
  };
}

function machine(): Hypervisor {
  return createHypervisor({ machine: server2007, plugins: [xenPvPlugin], options: { cores: 1, seed: 1 } });
}

test('a guest kernel checkpointed at a random point, restored and checkpointed again saves the same bytes — a part saved and not loaded cannot hide', (t) => {
  let compared = 0;
  fc.assert(
    fc.property(fc.array(STEP, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 40 }), (steps, atTenthsMs) => {
      const programs: NonNullable<BootOptions['programs']> = { '/sbin/init': { program: program(steps) } };
      const hv = machine();
      const domain = hv.createDomain({ name: 'guest', memoryMiB: 64 });
      const kernel = bootGuest(hv, domain, { checkpointable: true, programs, run: ['/sbin/init'] });
      hv.runUntil(atTenthsMs * 1e5);
      // At the next quiescent point, as Xen suspends (no I/O in flight).
      const file = checkpointWhenQuiescent(hv, domain, { stepNs: 2e5, maxWaitNs: 50e6 });
      const first = JSON.stringify(kernel.programFor(domain.vcpus[0]!).saveState());
      // Restored on a fresh machine from the file alone and the programs' code, then saved again.
      const other = machine();
      other.runUntil(hv.now);
      const restorer = guestKernelRestorer(programs);
      const restored = restoreDomain(other, file, restorer.registry);
      const second = JSON.stringify(restorer.kernelOf(restored)!.programFor(restored.vcpus[0]!).saveState());
      compared++;
      if (first !== second) t.log(`steps ${JSON.stringify(steps)} at ${atTenthsMs / 10} ms:\n  saved    ${first}\n  restored ${second}`);
      return first === second;
    }),
    { numRuns: 40, seed: 19 },
  );
  t.is(compared, 40);
});
