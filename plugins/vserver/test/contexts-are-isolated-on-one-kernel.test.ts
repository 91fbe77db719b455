import 'reflect-metadata';
import test from 'ava';
import {
  Capability,
  CostCategory,
  GuestRequestError,
  PrivilegeViolationError,
  UnsupportedCapabilityError,
  createHypervisor,
  server2007,
  type NetFrame,
  type VcpuProgram,
} from '@visorkit/core';
import { kernelFault } from '@visorkit/guest';
import { nativePlugin } from '@visorkit/native';
import { type ContextNetwork, vserverOn } from '../src/index.js';

const compute: VcpuProgram = { run: (v, b) => (v.charge(CostCategory.GuestUser, b), 'budget') };

function vserver(cores = 2) {
  return createHypervisor({ machine: server2007, plugins: vserverOn(nativePlugin), options: { cores } });
}

function cpuMs(d: { vcpus: readonly { runtimeNs: number }[] }): number {
  return d.vcpus.reduce((t, v) => t + v.runtimeNs, 0) / 1e6;
}

test('a capped context never takes more than its cap, however many busy processes it has', (t) => {
  const hv = vserver(2);
  const bomb = hv.createDomain({ name: 'forkbomb', vcpus: 8, cap: 25 });
  const web = hv.createDomain({ name: 'web', vcpus: 1 });
  hv.start(bomb, () => compute);
  hv.start(web, () => compute);
  hv.runUntil(2e9);
  const bombShare = cpuMs(bomb) / 2000;
  t.true(bombShare <= 0.25 * 1.05, `the capped context got ${(bombShare * 100).toFixed(1)}% of one CPU`);
  t.true(bombShare > 0.2, 'but it does get its cap');
  // The other context loses at most what the capped one was allowed to take from it.
  t.true(cpuMs(web) >= 2000 - cpuMs(bomb) - 1, `web got ${cpuMs(web)} ms`);
});

test('uncapped contexts share the kernel fairly by weight', (t) => {
  const hv = vserver(1);
  const a = hv.createDomain({ name: 'a', weight: 512 });
  const b = hv.createDomain({ name: 'b', weight: 256 });
  hv.start(a, () => compute);
  hv.start(b, () => compute);
  hv.runUntil(1e9);
  t.true(Math.abs(cpuMs(a) / cpuMs(b) - 2) < 0.1);
});

test('a context binds only to its assigned addresses and sends only from them; others are untouched', (t) => {
  const hv = vserver();
  const admin = hv.createDomain({ name: 'host' }, 'control');
  const a = hv.createDomain({ name: 'a' });
  const b = hv.createDomain({ name: 'b' });
  const net = hv.network as ContextNetwork;
  net.assignAddresses(admin.vcpus[0]!, a, ['10.1.0.1']);
  net.assignAddresses(admin.vcpus[0]!, b, ['10.1.0.2']);
  t.throws(() => hv.network.attachInterface(a, '10.1.0.2', () => {}), { instanceOf: GuestRequestError, message: /not one of its context's addresses/ });
  t.is(hv.counts(a)['privilege-violation'], 1);
  const got: NetFrame[] = [];
  const ia = hv.network.attachInterface(a, '10.1.0.1', () => {});
  hv.network.attachInterface(b, '10.1.0.2', (f) => got.push(f));
  hv.network.transmit(a.vcpus[0]!, ia, { source: '10.1.0.2', destination: '10.1.0.2', bytes: 100 });
  hv.network.transmit(a.vcpus[0]!, ia, { source: '10.1.0.1', destination: '10.1.0.2', bytes: 100 });
  hv.runFor(1e6);
  t.is(got.length, 1, 'only the frame from its own address went through');
  t.is(got[0]!.source, '10.1.0.1');
  t.is(hv.network.dropped, 1);
  t.throws(() => net.assignAddresses(a.vcpus[0]!, a, ['10.9.9.9']), { instanceOf: PrivilegeViolationError });
});

test('a fault in the shared kernel takes down every context', (t) => {
  const hv = vserver();
  const ds = ['a', 'b', 'c'].map((name) => hv.createDomain({ name }));
  for (const d of ds) hv.start(d, () => compute);
  hv.runUntil(1e7);
  const victims = kernelFault(hv, ds[0]!, 'NULL dereference in a driver');
  t.is(victims.length, 3);
  t.true(ds.every((d) => d.state === 'crashed'));
  t.regex(ds[2]!.crashReason!, /shared kernel fault in 'a'/);
});

test('contexts declare none of the hypervisor features, and asking fails with the typed error', (t) => {
  const hv = vserver();
  for (const c of [Capability.MultipleKernels, Capability.KernelModules, Capability.CheckpointResume, Capability.LiveMigration, Capability.LiveUpdate]) {
    t.throws(() => hv.require(c), { instanceOf: UnsupportedCapabilityError });
  }
  const d = hv.createDomain({ name: 'a' });
  t.throws(() => hv.loadKernelModule(d, 'e1000'), { instanceOf: UnsupportedCapabilityError });
  t.throws(() => hv.createDomain({ name: 'bsd', kernel: 'netbsd' }), { instanceOf: UnsupportedCapabilityError });
});
