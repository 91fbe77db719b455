import 'reflect-metadata';
import test from 'ava';
import { CostCategory, UnsupportedCapabilityError, createHypervisor, server2007 } from '@visorkit/core';
import { Errno, bootGuest, type Sys } from '@visorkit/guest';
import { nativePlugin } from '@visorkit/native';
import { VserverContexts, vserverContextsOf, vserverOn } from '../src/index.js';

/** One shared kernel with contexts 1 and 2 (roots and a process limit) and the host context 0. */
function sharedKernel(programs: Record<string, (sys: Sys) => Generator<unknown, number, unknown>>) {
  const hv = createHypervisor({ machine: server2007, plugins: vserverOn(nativePlugin), options: { cores: 1 } });
  const d = hv.createDomain({ name: 'host', memoryMiB: 256 });
  const contexts = new VserverContexts(server2007);
  contexts.define(1, { root: '/vservers/a', maxProcesses: 4, maxResidentMiB: 16 });
  contexts.define(2, { root: '/vservers/b' });
  const kernel = bootGuest(hv, d, {
    policy: contexts,
    programs: Object.fromEntries(Object.entries(programs).map(([k, v]) => [k, { program: v as never }])),
    files: { '/vservers/a/etc/motd': 100, '/vservers/b/etc/secret': 100, '/etc/shadow': 100 },
  });
  return { hv, d, kernel };
}

test('a context signals only its own processes; the host context reaches all; refusals are counted and harmless', (t) => {
  const seen: Record<string, number> = {};
  const { hv, d, kernel } = sharedKernel({
    '/bin/victim': function* (sys) {
      yield* sys.compute(50_000_000);
      seen.victimFinished = 1;
      return 0;
    },
    '/bin/sleeper': function* (sys) {
      yield* sys.compute(500_000_000);
      return 0;
    },
    '/bin/attacker': function* (sys) {
      seen.crossContext = yield* sys.kill(victim, 9);
      return 0;
    },
    '/bin/admin': function* (sys) {
      seen.admin = yield* sys.kill(sleeper, 9);
      return 0;
    },
  });
  const victim = kernel.spawn('/bin/victim', 2);
  const sleeper = kernel.spawn('/bin/sleeper', 2);
  kernel.spawn('/bin/attacker', 1);
  kernel.spawn('/bin/admin', 0);
  hv.runWhile(() => !kernel.idle);
  t.is(seen.crossContext, -Errno.ESRCH, "another context's process does not exist for the attacker");
  t.is(seen.victimFinished, 1, 'the victim carried on');
  t.is(seen.admin, 0, 'the host context reaches every context');
  t.true(hv.counts(d)['privilege-violation']! >= 1);
});

test("a fork bomb hits its context's process limit, while another context can still fork", (t) => {
  const got: Record<string, number[]> = { bomb: [], other: [] };
  const { hv, kernel } = sharedKernel({
    '/bin/bomb': function* (sys) {
      for (let i = 0; i < 10; i++)
        got.bomb!.push(
          yield* sys.fork(function* (s) {
            yield* s.compute(1e9);
            return 0;
          }),
        );
      return 0;
    },
    '/bin/other': function* (sys) {
      got.other!.push(
        yield* sys.fork(function* () {
          return 0;
        }),
      );
      yield* sys.wait();
      return 0;
    },
  });
  kernel.spawn('/bin/bomb', 1);
  kernel.spawn('/bin/other', 2);
  hv.runUntil(5e8);
  t.is(got.bomb!.filter((r) => r > 0).length, 3, 'the bomb gets 3 children: 4 processes in its context');
  t.true(got.bomb!.slice(3).every((r) => r === -Errno.EAGAIN));
  t.true(got.other![0]! > 0, 'the other context forks normally');
});

test("paths resolve under the context's root, and climbing out of it is refused", (t) => {
  const got: Record<string, number> = {};
  const { hv, kernel } = sharedKernel({
    '/bin/prober': function* (sys) {
      got.own = yield* sys.stat('/etc/motd');
      got.escape = yield* sys.stat('/../../etc/shadow');
      got.neighbour = yield* sys.stat('/../b/etc/secret');
      got.hostOnly = yield* sys.stat('/etc/shadow');
      return 0;
    },
  });
  kernel.spawn('/bin/prober', 1);
  hv.runWhile(() => !kernel.idle);
  t.is(got.own, 100, 'its own /etc/motd is /vservers/a/etc/motd');
  t.is(got.escape, -Errno.ENOENT);
  t.is(got.neighbour, -Errno.ENOENT);
  t.is(got.hostOnly, -Errno.ENOENT, "the host's /etc/shadow is not in its root");
});

test("a memory hog is killed at its context's memory limit; a process in another context maps far more", (t) => {
  const done: Record<string, number> = {};
  const { hv, d, kernel } = sharedKernel({
    '/bin/hog': function* (sys) {
      const at = yield* sys.mmap({ bytes: 64 << 20 });
      yield* sys.touch(at, 64 << 20, { write: true });
      done.hog = 1;
      return 0;
    },
    '/bin/big': function* (sys) {
      const at = yield* sys.mmap({ bytes: 48 << 20 });
      yield* sys.touch(at, 48 << 20, { write: true });
      done.big = 1;
      return 0;
    },
  });
  kernel.spawn('/bin/hog', 1);
  kernel.spawn('/bin/big', 2);
  hv.runWhile(() => !kernel.idle);
  t.is(done.hog, undefined, 'the hog never finished: killed at 16 MiB');
  t.is(done.big, 1, 'context 2 has no limit and maps its 48 MiB');
  t.true(kernel.residentPages(1) === 0, 'the killed process gave its pages back');
  t.true(hv.counts(d)['privilege-violation']! >= 1);
  t.is(d.state, 'running');
});

test("a kernel booted on a vserver composition without a policy gets the plugin's context table, and its checks cost a little", (t) => {
  const forks = (withVserver: boolean, maxProcesses?: number): { kernelCycles: number; refused: number } => {
    const plugins = withVserver ? vserverOn(nativePlugin) : [nativePlugin];
    const hv = createHypervisor({ machine: server2007, plugins, options: { cores: 1 } });
    const d = hv.createDomain({ name: 'host', memoryMiB: 128 });
    let refused = 0;
    const forker = function* (sys: Sys) {
      for (let i = 0; i < 4; i++) {
        const pid = yield* sys.fork(function* () {
          return 0;
        });
        if (pid === -Errno.EAGAIN) refused++;
        else yield* sys.wait();
      }
      return 0;
    };
    const kernel = bootGuest(hv, d, { programs: { '/bin/forker': { program: forker as never } } });
    if (withVserver) vserverContextsOf(hv).define(1, maxProcesses === undefined ? {} : { maxProcesses });
    kernel.spawn('/bin/forker', withVserver ? 1 : 0);
    hv.runWhile(() => !kernel.idle);
    return { kernelCycles: d.vcpus[0]!.cycles[CostCategory.GuestKernel]!, refused };
  };
  t.is(forks(true, 1).refused, 4, "the context's limit of one process (the forker itself) holds without passing a policy");
  const native = forks(false);
  const contexts = forks(true);
  t.is(contexts.refused, 0);
  const extra = contexts.kernelCycles - native.kernelCycles;
  t.true(extra > 0 && extra < 0.01 * native.kernelCycles, `the context checks add ${extra} of ${native.kernelCycles} kernel cycles`);
});

test('asking a composition without vserver for its context table is a typed error', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin] });
  t.throws(() => vserverContextsOf(hv), { instanceOf: UnsupportedCapabilityError });
});
