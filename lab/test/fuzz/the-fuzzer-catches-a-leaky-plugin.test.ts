import test from 'ava';
import {
  ContainerModule,
  Machine,
  MemoryVirtualization,
  PTE_PRESENT,
  definePlugin,
  inject,
  injectable,
  writeTableEntry,
  type Gfn,
  type Vcpu,
} from '@visorkit/core';
import { NativeMemory, nativePlugin } from '@visorkit/native';
import { definePlatform } from '@visorkit/workloads';
import type { FuzzTarget } from '../../src/fuzz/fuzz-machine.js';
import { breachFromJson, breachToJson, replayBreach, runFuzz } from '../../src/fuzz/run-fuzz.js';
import type { HostileOperation } from '../../src/fuzz/hostile-operation.js';
import { shrinkSequence } from '../../src/fuzz/shrink-sequence.js';

/** Native memory with a planted bug: a page-table entry's frame is stored as a machine frame, unchecked. */
@injectable()
class LeakyMemory extends NativeMemory {
  constructor(@inject(Machine) machine: Machine) {
    super(machine);
  }

  override writePte(vcpu: Vcpu, table: Gfn, index: number, entry: number): void {
    const stored = (entry & PTE_PRESENT) !== 0 ? entry : 0;
    writeTableEntry(this.machine.memory, this.geometry, this.populatedFrame(vcpu, table), index, stored);
  }
}

const leakyPlugin = definePlugin({
  name: 'leaky',
  version: '0.0.0',
  description: 'native memory that trusts the frame numbers a guest writes',
  provides: [MemoryVirtualization],
  capabilities: [],
  defaults: {},
  module: () =>
    new ContainerModule((o) => {
      o.bind(LeakyMemory).toSelf().inSingletonScope();
      o.bind(MemoryVirtualization).toService(LeakyMemory);
    }),
});

const leaky: FuzzTarget = {
  plugin: 'leaky',
  platform: definePlatform({
    name: 'leaky',
    description: 'a planted bug',
    isolation: 'processes',
    plugins: [nativePlugin.without(MemoryVirtualization), leakyPlugin],
  }),
  format: 'machine',
  typedPageTables: false,
};

test('the fuzzer finds a plugin that lets a guest map foreign frames, shrinks the sequence, and the saved file replays the breach', async (t) => {
  const { report, breach } = await runFuzz({ plugin: 'leaky', targets: [leaky], ops: 20_000, seed: 1 });
  t.is(report.breaches, 1);
  t.truthy(breach);
  t.regex(breach!.invariant, /^(memory|tlb)\//, breach!.message);
  t.true(breach!.operations.length <= 3, `not shrunk: ${breach!.operations.length} operations`);
  const replayed = replayBreach(breachFromJson(breachToJson(breach!)), [leaky]);
  t.is(replayed?.invariant, breach!.invariant);
});

test('a breach record keeps non-finite numbers through its JSON file', (t) => {
  const record = {
    plugin: 'x',
    platform: 'y',
    seed: 3,
    invariant: 'i',
    message: 'm',
    operations: [
      { k: 'translate' as const, vpn: Number.NaN, write: false },
      { k: 'invlpg' as const, vpn: -Infinity },
    ],
  };
  const back = breachFromJson(breachToJson(record));
  t.true(Number.isNaN((back.operations[0] as { vpn: number }).vpn));
  t.is((back.operations[1] as { vpn: number }).vpn, -Infinity);
});

test('shrinking cuts a long failing sequence at its failure, then removes what the breach does not need, in few runs and the same way every time', (t) => {
  // The breach needs one write of a foreign frame; 600 harmless operations around it.
  const harmless = Array.from({ length: 600 }, (_, i): HostileOperation => (i % 2 === 0 ? { k: 'translate', vpn: i % 64, write: false } : { k: 'flush' }));
  const bad: HostileOperation = { k: 'pte', table: { own: 3 }, index: 5, frame: { victimMachine: 2 }, flags: 7 };
  const failing = [...harmless.slice(0, 300), bad, ...harmless.slice(300)];
  const shrunk = shrinkSequence(leaky, 1, failing);
  t.truthy(shrunk);
  t.regex(shrunk!.breach.invariant, /^(memory|tlb|machine)\//);
  t.deepEqual(shrunk!.operations, [bad]);
  t.true(shrunk!.minimal);
  t.true(shrunk!.runs < 40, `${shrunk!.runs} runs`);
  t.deepEqual(shrinkSequence(leaky, 1, failing), shrunk, 'deterministic');
  const capped = shrinkSequence(leaky, 1, failing, { maxRuns: 3 });
  t.false(capped!.minimal);
  t.true(capped!.operations.length <= 301, 'the failing prefix is kept even when the budget runs out');
  t.is(shrinkSequence(leaky, 1, harmless), undefined, 'a sequence that breaks nothing');
});
