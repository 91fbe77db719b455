import 'reflect-metadata';
import test from 'ava';
import { Container, type ServiceIdentifier } from 'inversify';
import {
  BlockBackend,
  Capability,
  ContainerModule,
  CpuVirtualization,
  IoEvents,
  KernelNetwork,
  Machine,
  MemoryVirtualization,
  NetworkBackend,
  SimulatedTimeKeeping,
  Simulator,
  TimeKeeping,
  UnknownOptionError,
  UnsupportedCapabilityError,
  VcpuScheduler,
  createHypervisor,
  server2007,
} from '@visorkit/core';
import { CfsScheduler, NATIVE_DEFAULTS, NativeBlock, NativeCpu, NativeMemory, nativeModule, nativePlugin } from '../../src/index.js';

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

test('every extension point resolves to one singleton, shared by the classes that depend on it', (t) => {
  const sim = new Simulator(1);
  const container = new Container();
  container.load(
    new ContainerModule((o) => {
      o.bind(Simulator).toConstantValue(sim);
      o.bind(Machine).toConstantValue(new Machine(server2007, sim, { cores: 1, memoryMiB: 64 }));
      o.bind(IoEvents).toConstantValue(new IoEvents());
    }),
    nativeModule(NATIVE_DEFAULTS),
  );
  // Time is core's reference SimulatedTimeKeeping, bound to the point itself (no class of native's own);
  // the network is core's reference KernelNetwork.
  const classes: (ServiceIdentifier<object> | undefined)[] = [NativeMemory, NativeCpu, CfsScheduler, undefined, KernelNetwork, NativeBlock];
  const points = [MemoryVirtualization, CpuVirtualization, VcpuScheduler, TimeKeeping, NetworkBackend, BlockBackend] as const;
  points.forEach((point, i) => {
    const first = container.get<object>(point);
    t.is(container.get<object>(point), first, `${String(point)} is not rebuilt`);
    const cls = classes[i];
    if (cls === undefined) t.true(first instanceof SimulatedTimeKeeping, `${String(point)} is the reference time keeper`);
    else t.is(container.get<object>(cls), first, `${String(point)} is the same singleton as its class`);
  });
  const memory = container.get<MemoryVirtualization>(MemoryVirtualization);
  t.is(container.get(NativeCpu).memory, memory);
  t.is(container.get(NativeBlock).memory, memory);

  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin] });
  t.is((hv.cpu as NativeCpu).memory, hv.memory, 'the facade and the CPU share one memory');
  t.is((hv.block as NativeBlock).memory, hv.memory, 'the facade and the block driver share one memory');
});
