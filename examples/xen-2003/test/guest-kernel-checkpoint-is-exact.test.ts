import 'reflect-metadata';
import test from 'ava';
import fc from 'fast-check';
import {
  CheckpointCorruptError,
  CheckpointRefusedError,
  CostCategory,
  checkpointDomain,
  checkpointWhenQuiescent,
  createHypervisor,
  restoreDomain,
  server2007,
  type Domain,
  type Hypervisor,
} from '@visorkit/core';
import { bootGuest, guestKernelRestorer, type BootOptions, type GuestKernel, type Program } from '@visorkit/guest';
import { xenPvPlugin } from '@visorkit/xen-pv';

const SIGUSR1 = 10;

/**
 * A small system under test: init installs a handler, forks a writer that streams into a
 * pipe with sleeps, a shell that execs, and a worker that maps and touches memory and
 * signals init; init reads the pipe to its end, waits for all three, and writes what its
 * system calls returned as the sizes of two files (guest state, which a checkpoint carries).
 */
function programs(): NonNullable<BootOptions['programs']> {
  const init: Program = function* (sys) {
    let handled = 0;
    let sum = 0;
    yield* sys.sigaction(SIGUSR1, function* (s) {
      handled++;
      yield* s.compute(50_000);
      return 0;
    });
    const me = yield* sys.getpid();
    const [r, w] = yield* sys.pipe();
    const writer = yield* sys.fork(function* (s) {
      for (let i = 0; i < 30; i++) {
        yield* s.compute(300_000);
        yield* s.write(w, 4096);
        if (i % 6 === 0) yield* s.sleep(2e6);
      }
      return 0;
    });
    yield* sys.close(w);
    const shell = yield* sys.fork(function* (s) {
      yield* s.exec('/bin/sh');
      return 99;
    });
    const worker = yield* sys.fork(function* (s) {
      const at = yield* s.mmap({ bytes: 2 << 20 });
      for (let round = 0; round < 4; round++) {
        yield* s.touch(at, 2 << 20, { write: true });
        yield* s.compute(1_000_000);
        yield* s.kill(me, SIGUSR1);
      }
      const fd = yield* s.open('/data/worker', { create: true });
      yield* s.write(fd, 12_288);
      return 0;
    });
    for (;;) {
      const n = yield* sys.read(r, 8192);
      if (n <= 0) break;
      sum += n;
    }
    let reaped = 0;
    for (let i = 0; i < 3; i++) reaped += yield* sys.wait();
    const fd = yield* sys.open('/data/out', { create: true });
    yield* sys.write(fd, sum);
    const flags = yield* sys.open('/data/flags', { create: true });
    yield* sys.write(flags, handled * 10 + (reaped === writer + shell + worker ? 1 : 0));
    return 0;
  };
  return { '/sbin/init': { program: init } };
}

function machine(seed: number): Hypervisor {
  return createHypervisor({ machine: server2007, plugins: [xenPvPlugin], options: { cores: 1, seed } });
}

function boot(hv: Hypervisor): { domain: Domain; kernel: GuestKernel } {
  const domain = hv.createDomain({ name: 'guest', memoryMiB: 128 });
  const kernel = bootGuest(hv, domain, { checkpointable: true, programs: programs(), run: ['/sbin/init'] });
  return { domain, kernel };
}

/** What the run ends with: the files the programs left, the guest's own work, its memory. */
function finalState(kernel: GuestKernel, domain: Domain): string {
  return JSON.stringify({
    idle: kernel.idle,
    out: kernel.fs.lookup('/data/out')?.size,
    flags: kernel.fs.lookup('/data/flags')?.size,
    worker: kernel.fs.lookup('/data/worker')?.size,
    userCycles: domain.vcpus[0]!.cycles[CostCategory.GuestUser],
    free: kernel.frames.available,
  });
}

const END_NS = 2e9;

/** Restores `file` on a second machine at the time it was taken, and runs it to the end. */
function resumeElsewhere(file: Uint8Array, at: number, guestPrograms: NonNullable<BootOptions['programs']>): { domain: Domain; kernel: GuestKernel } {
  const other = machine(2);
  other.runUntil(at);
  const restorer = guestKernelRestorer(guestPrograms);
  const domain = restoreDomain(other, file, restorer.registry);
  other.start(domain);
  other.runUntil(END_NS);
  return { domain, kernel: restorer.kernelOf(domain)! };
}

test('a guest kernel checkpointed at any point and restored on another machine ends exactly as the uninterrupted run', (t) => {
  const plain = machine(1);
  const p = boot(plain);
  plain.runUntil(END_NS);
  t.is(p.kernel.fs.lookup('/data/out')?.size, 30 * 4096, 'init read everything the writer sent');
  t.is(p.kernel.fs.lookup('/data/flags')?.size, 4 * 10 + 1, 'init handled four signals and reaped its three children');
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 60 }), (checkpointMs) => {
      const ref = machine(1);
      const r = boot(ref);
      ref.runUntil(checkpointMs * 1e6);
      ref.pause(r.domain);
      ref.runUntil(checkpointMs * 1e6 + 10e6);
      const file = checkpointDomain(ref, r.domain);
      const at = ref.now;
      ref.unpause(r.domain);
      ref.runUntil(END_NS);
      // Resumed on another machine, from the file alone and the programs' code.
      const resumed = resumeElsewhere(file, at, programs());
      const a = finalState(r.kernel, r.domain);
      const b = finalState(resumed.kernel, resumed.domain);
      if (a !== b) t.log(`checkpoint at ${checkpointMs} ms:\n  uninterrupted ${a}\n  resumed       ${b}`);
      return a === b;
    }),
    { numRuns: 12, seed: 7 },
  );
  t.pass();
});

test('a guest kernel without its replay log, or with a disk request in flight, is refused with the typed error and keeps running', (t) => {
  const hv = machine(1);
  const d = hv.createDomain({ name: 'plain', memoryMiB: 64 });
  const kernel = bootGuest(hv, d, { programs: programs(), run: ['/sbin/init'] });
  hv.runUntil(20e6);
  hv.pause(d);
  const e = t.throws(() => checkpointDomain(hv, d), { instanceOf: CheckpointRefusedError });
  t.regex(e!.message, /checkpointable/);
  hv.unpause(d);
  hv.runUntil(END_NS);
  t.is(kernel.fs.lookup('/data/flags')?.size, 41, 'the refused domain carried on to the end');

  const io = machine(1);
  const g = io.createDomain({ name: 'reader', memoryMiB: 64 });
  const reader: Program = function* (sys) {
    const fd = yield* sys.open('/data/big');
    yield* sys.read(fd, 1 << 20);
    yield* sys.compute(1e9);
    return 0;
  };
  const busy = bootGuest(io, g, {
    checkpointable: true,
    programs: { '/bin/reader': { program: reader } },
    files: { '/data/big': 8 << 20 },
    run: ['/bin/reader'],
  });
  io.runUntil(3e6);
  io.pause(g);
  t.throws(() => checkpointDomain(io, g), { instanceOf: CheckpointRefusedError, message: /in flight/ });
  // Resumed until the read has completed, the same domain checkpoints.
  io.unpause(g);
  io.runUntil(io.now + 200e6);
  io.pause(g);
  t.notThrows(() => checkpointDomain(io, g));
  io.unpause(g);
  io.runWhile(() => !busy.idle);
  t.true(busy.idle);
});

test('a disk-bound guest checkpointed whenever asked — at its next quiescent point, as Xen suspends — resumes exactly', (t) => {
  const reader = (): NonNullable<BootOptions['programs']> => ({
    '/bin/reader': {
      program: function* (sys) {
        const fd = yield* sys.open('/data/big');
        let total = 0;
        for (let i = 0; i < 64; i++) {
          total += yield* sys.read(fd, 128 << 10);
          yield* sys.compute(200_000);
        }
        const out = yield* sys.open('/data/total', { create: true });
        yield* sys.write(out, total);
        return 0;
      },
    },
  });
  const bootReader = (hv: Hypervisor): { domain: Domain; kernel: GuestKernel } => {
    const domain = hv.createDomain({ name: 'reader', memoryMiB: 64 });
    return { domain, kernel: bootGuest(hv, domain, { checkpointable: true, programs: reader(), files: { '/data/big': 8 << 20 }, run: ['/bin/reader'] }) };
  };
  const end = (kernel: GuestKernel, domain: Domain): string =>
    JSON.stringify({
      idle: kernel.idle,
      total: kernel.fs.lookup('/data/total')?.size,
      user: domain.vcpus[0]!.cycles[CostCategory.GuestUser],
      free: kernel.frames.available,
    });
  let waited = 0;
  for (const askMs of [2, 7, 19, 41]) {
    const ref = machine(1);
    const r = bootReader(ref);
    ref.runUntil(askMs * 1e6);
    const file = checkpointWhenQuiescent(ref, r.domain, { stepNs: 200e3 });
    if (ref.now > askMs * 1e6) waited++;
    const at = ref.now;
    ref.unpause(r.domain);
    ref.runUntil(END_NS);
    const resumed = resumeElsewhere(file, at, reader());
    t.is(r.kernel.fs.lookup('/data/total')?.size, 8 << 20);
    t.is(end(resumed.kernel, resumed.domain), end(r.kernel, r.domain), `asked at ${askMs} ms, taken at ${at / 1e6} ms`);
  }
  t.true(waited > 0, 'at least one request found block I/O in flight and waited for it');
});

test('waiting for quiescence gives up with the refusal when the guest never quiesces in time, and a permanent refusal is thrown at once', (t) => {
  const hv = machine(1);
  const d = hv.createDomain({ name: 'reader', memoryMiB: 64 });
  // One long raw read (16 MiB off the disk): its requests are in flight for a long while.
  const reader: Program = function* (sys) {
    yield* sys.readBlocks(4096);
    return 0;
  };
  bootGuest(hv, d, { checkpointable: true, programs: { '/bin/reader': { program: reader } }, run: ['/bin/reader'] });
  hv.runUntil(3e6);
  const e = t.throws(() => checkpointWhenQuiescent(hv, d, { stepNs: 100e3, maxWaitNs: 300e3 }), { instanceOf: CheckpointRefusedError });
  t.true(e!.transient);
  const plain = machine(1);
  const p = plain.createDomain({ name: 'plain', memoryMiB: 64 });
  bootGuest(plain, p, { programs: programs(), run: ['/sbin/init'] });
  plain.runUntil(5e6);
  const at = plain.now;
  const refused = t.throws(() => checkpointWhenQuiescent(plain, p), { instanceOf: CheckpointRefusedError });
  t.false(refused!.transient);
  t.is(plain.now, at, 'it did not wait for what waiting cannot fix');
});

test('restoring without the programs the guest ran is refused, and nothing is half-restored', (t) => {
  const hv = machine(1);
  const { domain } = boot(hv);
  hv.runUntil(5e6);
  hv.pause(domain);
  const file = checkpointDomain(hv, domain);
  const other = machine(2);
  const before = other.domains.all().length;
  t.throws(() => restoreDomain(other, file, guestKernelRestorer({}).registry), { instanceOf: CheckpointCorruptError, message: /\/sbin\/init/ });
  t.is(other.domains.all().filter((d) => d.state !== 'destroyed').length, before, 'no domain was left behind');
  // A program that does not replay the same way (not deterministic) is caught too.
  const liar: Program = function* (sys) {
    yield* sys.compute(1);
    return 0;
  };
  t.throws(() => restoreDomain(other, file, guestKernelRestorer({ '/sbin/init': { program: liar } }).registry), { instanceOf: CheckpointCorruptError });
  t.is(other.domains.all().filter((d) => d.state !== 'destroyed').length, before);
});
