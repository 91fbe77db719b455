import 'reflect-metadata';
import test from 'ava';
import {
  ContainerModule,
  GuestPhysicalMap,
  GuestPhysicalMapToken,
  Machine,
  MemoryVirtualization,
  PagedMemory,
  createHypervisor,
  definePlugin,
  inject,
  injectable,
  optional,
} from '@visorkit/core';
import { nativePlugin } from '@visorkit/native';
import { runConformance } from '../src/index.js';

/**
 * What an outside author writes to get a paging plugin from core's base: a constructor and
 * the options. This one is bare metal that keeps TLB entries across switches where the
 * hardware tags them (PCIDs), which native does not: the base's tagged path under the kit.
 */
@injectable()
class TaggedBareMetalMemory extends PagedMemory {
  constructor(@inject(Machine) machine: Machine, @inject(GuestPhysicalMapToken) @optional() map?: GuestPhysicalMap) {
    super(machine, map, { frames: 'machine', tagged: machine.profile.cpu.taggedTlb });
  }
}

const taggedMemoryPlugin = definePlugin({
  name: 'tagged-bare-metal-memory',
  version: '0.0.1',
  description: "Bare-metal paging on core's PagedMemory with a tagged TLB where the profile has one.",
  provides: [MemoryVirtualization],
  capabilities: [],
  defaults: {},
  module: () =>
    new ContainerModule((o) => {
      o.bind(GuestPhysicalMapToken)
        .toDynamicValue((c) => new GuestPhysicalMap(c.get<Machine>(Machine).memory))
        .inSingletonScope();
      o.bind(TaggedBareMetalMemory).toSelf().inSingletonScope();
      o.bind(MemoryVirtualization).toService(TaggedBareMetalMemory);
    }),
});

runConformance(test, {
  name: "native + a paging plugin on core's PagedMemory",
  compose: (machine) => createHypervisor({ machine, plugins: [taggedMemoryPlugin, nativePlugin.without(MemoryVirtualization)] }),
  suites: ['memory', 'lifecycle'],
});
