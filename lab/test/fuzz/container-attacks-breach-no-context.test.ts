import test from 'ava';
import { ContainerModule, Machine, NetworkBackend, VcpuScheduler, definePlugin, type Vcpu } from '@visorkit/core';
import { ContainerPolicy, type Process } from '@visorkit/guest';
import { nativePlugin } from '@visorkit/native';
import { VserverContexts, vserverPlugin } from '@visorkit/vserver';
import { definePlatform } from '@visorkit/workloads';
import type { FuzzTarget } from '../../src/fuzz/fuzz-machine.js';
import { fuzzTargets, replayBreach, runFuzz } from '../../src/fuzz/run-fuzz.js';

// The short run of the container attacks is part of vserver's 10,000 operations in
// hostile-guests-breach-no-bundled-plugin.test.ts (its targets are the machine and the
// contexts of its shared kernel): here, that the invariants can fail.
test('vserver is attacked both as a machine and from inside a context of its shared kernel', (t) => {
  t.deepEqual(
    fuzzTargets('vserver').map((x) => x.family ?? 'machine'),
    ['machine', 'containers'],
  );
});

/** Context tables with one planted bug each. */
class SignalsAnyone extends VserverContexts {
  override mayAccess(vcpu: Vcpu, caller: Process, target: Process): boolean {
    super.mayAccess(vcpu, caller, target);
    return true;
  }
}
class ClimbsOut extends VserverContexts {
  override resolvePath(vcpu: Vcpu, process: Process, path: string): string | undefined {
    const resolved = super.resolvePath(vcpu, process, path);
    if (process.context !== 1 || resolved !== undefined) return resolved;
    // No barrier: a `..` above the root climbs on into the host's tree.
    const parts: string[] = [];
    for (const part of `/vservers/a/${path}`.split('/')) {
      if (part === '..') parts.pop();
      else if (part !== '' && part !== '.') parts.push(part);
    }
    return `/${parts.join('/')}`;
  }
}

function planted(name: string, Table: typeof VserverContexts): FuzzTarget {
  const plugin = definePlugin({
    name,
    version: '0.0.0',
    description: 'vserver contexts with a planted bug',
    provides: [ContainerPolicy],
    capabilities: [],
    defaults: {},
    module: () =>
      new ContainerModule((o) => {
        o.bind(ContainerPolicy)
          .toDynamicValue((c) => new Table(c.get<Machine>(Machine).profile))
          .inSingletonScope();
      }),
  });
  return {
    plugin: name,
    platform: definePlatform({
      name,
      description: 'a planted bug',
      isolation: 'contexts',
      plugins: [nativePlugin.without(VcpuScheduler, NetworkBackend), vserverPlugin.without(ContainerPolicy), plugin],
    }),
    format: 'machine',
    typedPageTables: false,
    family: 'containers',
  };
}

for (const [name, Table, invariant, what] of [
  ['signals-anyone', SignalsAnyone, /^(signals|containers)\//, 'lets a context signal any process'],
  ['climbs-out', ClimbsOut, /^(chroot|containers)\//, 'lets `..` climb above a root'],
] as const) {
  test(`the container attacks find a context table that ${what}, shrink the sequence, and the record replays`, async (t) => {
    const target = planted(name, Table);
    const { breach } = await runFuzz({ plugin: name, targets: [target], ops: 3_000, seed: 1, sequenceLength: 100 });
    t.truthy(breach);
    t.regex(breach!.invariant, invariant, breach!.message);
    t.true(breach!.operations.length <= 3, `not shrunk: ${JSON.stringify(breach!.operations)}`);
    t.is(replayBreach(breach!, [target])?.invariant, breach!.invariant);
  });
}
