import 'reflect-metadata';
import test from 'ava';
import fc from 'fast-check';
import { CostCategory, createHypervisor, server2007, type VcpuProgram } from '@visorkit/core';
import { nativePlugin } from '../../src/index.js';

const compute: VcpuProgram = { run: (v, b) => (v.charge(CostCategory.GuestUser, b), 'budget') };

test('virtual time advances only while the domain runs', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { cores: 1 } });
  const a = hv.createDomain({ name: 'a' });
  const b = hv.createDomain({ name: 'b' });
  hv.start(a, () => compute);
  hv.start(b, () => compute);
  hv.runUntil(1e9);
  const va = hv.time.virtualTime(a);
  t.true(va > 4e8 && va < 6e8, `shared pCPU: about half, got ${va}`);
  hv.pause(a);
  hv.runUntil(1.01e9);
  const paused = hv.time.virtualTime(a);
  hv.runUntil(2e9);
  t.is(hv.time.virtualTime(a), paused);
  t.is(hv.time.realTime(a), 2e9);
});

test('alarms fire at or after their deadline, in deadline order', (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 1e8 }), { minLength: 1, maxLength: 20 }), (deadlines) => {
      const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin] });
      const fired: { deadline: number; at: number }[] = [];
      deadlines.forEach((deadline, i) => {
        const d = hv.createDomain({ name: `d${i}`, memoryMiB: 1 });
        hv.time.setAlarm(d, 'real', deadline, () => fired.push({ deadline, at: hv.now }));
      });
      hv.runUntil(2e8);
      if (fired.length !== deadlines.length) return false;
      for (let i = 0; i < fired.length; i++) {
        if (fired[i]!.at < fired[i]!.deadline) return false;
        if (i > 0 && fired[i]!.deadline < fired[i - 1]!.deadline) return false;
      }
      return true;
    }),
    { numRuns: 30 },
  );
  t.pass();
});

test('a virtual-time alarm waits for the domain to really have run that long', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { cores: 1 } });
  const a = hv.createDomain({ name: 'a' });
  const b = hv.createDomain({ name: 'b' });
  hv.start(a, () => compute);
  hv.start(b, () => compute);
  let firedAt = -1;
  hv.time.setAlarm(a, 'virtual', 1e8, () => (firedAt = hv.now));
  hv.runUntil(1e9);
  t.true(firedAt >= 1.9e8, `sharing a pCPU, 100 ms of virtual time takes ~200 ms: fired at ${firedAt}`);
});

test("the wall clock starts on 1 January of the profile's year and follows real time", (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin] });
  const d = hv.createDomain({ name: 'g', memoryMiB: 1 });
  const boot = Date.UTC(server2007.year, 0, 1) * 1e6;
  t.is(hv.time.wallClock(d), boot);
  hv.runUntil(3e9);
  t.is(hv.time.wallClock(d), boot + 3e9);
  t.is(new Date(hv.time.wallClock(d) / 1e6).toISOString(), `${server2007.year}-01-01T00:00:03.000Z`);
});

test('setting an alarm again replaces the earlier one; a cancelled alarm never fires', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin] });
  const d = hv.createDomain({ name: 'g', memoryMiB: 1 });
  const fired: string[] = [];
  hv.time.setAlarm(d, 'real', 1e6, () => fired.push('first'));
  hv.time.setAlarm(d, 'real', 2e6, () => fired.push('second'));
  hv.time.setAlarm(d, 'virtual', 1, () => fired.push('virtual'));
  hv.time.cancelAlarm(d, 'virtual');
  hv.runUntil(1e7);
  t.deepEqual(fired, ['second']);
});
