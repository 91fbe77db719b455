import test from 'ava';
import { ContainerModule, Machine, MemoryVirtualization, definePlugin, inject, injectable, type Gfn, type Vcpu } from '@visorkit/core';
import { NativeMemory, nativePlugin } from '@visorkit/native';
import { definePlatform } from '@visorkit/workloads';
import type { FuzzTarget } from '../../src/fuzz/fuzz-machine.js';
import { runFuzz } from '../../src/fuzz/run-fuzz.js';

/**
 * Native memory with a planted bug no page-table check sees: zeroing a frame the guest names
 * by a number beyond its memory zeroes that machine frame, whoever owns it. Only the machine
 * recorder (what the RAM really did) reports it at the operation itself.
 */
@injectable()
class ZeroesAnyFrame extends NativeMemory {
  constructor(@inject(Machine) machine: Machine) {
    super(machine);
  }

  override zeroFrame(vcpu: Vcpu, frame: Gfn): void {
    const n = frame as number;
    if (Number.isInteger(n) && n >= this.frames(vcpu.domain) && n < this.machine.memory.frames) this.machine.memory.zero(n);
    else super.zeroFrame(vcpu, frame);
  }
}

const plugin = definePlugin({
  name: 'zeroes-any-frame',
  version: '0.0.0',
  description: 'native memory that zeroes machine frames a guest names beyond its memory',
  provides: [MemoryVirtualization],
  capabilities: [],
  defaults: {},
  module: () =>
    new ContainerModule((o) => {
      o.bind(ZeroesAnyFrame).toSelf().inSingletonScope();
      o.bind(MemoryVirtualization).toService(ZeroesAnyFrame);
    }),
});

const target: FuzzTarget = {
  plugin: 'zeroes-any-frame',
  platform: definePlatform({
    name: 'zeroes-any-frame',
    description: 'a planted bug',
    isolation: 'processes',
    plugins: [nativePlugin.without(MemoryVirtualization), plugin],
  }),
  format: 'machine',
  typedPageTables: false,
};

test("the machine recorder catches a write to another domain's frame at the operation that made it", async (t) => {
  const { report, breach } = await runFuzz({ plugin: 'zeroes-any-frame', targets: [target], ops: 20_000, seed: 1 });
  t.is(report.breaches, 1);
  t.is(breach?.invariant, 'machine/no-access-reaches-a-foreign-frame', breach?.message);
  t.true(breach!.operations.length <= 2, `not shrunk: ${JSON.stringify(breach!.operations)}`);
});
