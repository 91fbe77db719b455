import 'reflect-metadata';
import test from 'ava';
import { Capability, UnknownOptionError, UnsupportedCapabilityError, createHypervisor, server2007 } from '@visorkit/core';
import { NativeMemory, nativePlugin } from '../../src/index.js';

test('native binds all six extension points, each resolved once and held', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin] });
  t.true(hv.memory instanceof NativeMemory);
  t.is(hv.memory, hv.memory);
  t.truthy(hv.cpu && hv.scheduler && hv.time && hv.network && hv.block);
  t.is(hv.name, 'native');
});

test('native declares kernel modules but none of the hypervisor features', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin] });
  t.true(hv.has(Capability.KernelModules));
  t.throws(() => hv.require(Capability.LiveMigration), { instanceOf: UnsupportedCapabilityError });
});

test('an unknown native option is refused with the known ones listed', (t) => {
  const e = t.throws(() => nativePlugin.configure({ bogus: 1 } as never), { instanceOf: UnknownOptionError });
  t.regex(e.message, /schedulerLatencyMs/);
});
