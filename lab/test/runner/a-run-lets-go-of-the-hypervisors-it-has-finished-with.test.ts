import test from 'ava';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { modern } from '@visorkit/core';
import type { Experiment, ResultRow } from '@visorkit/workloads';
import { composeFor } from '@visorkit/workloads';
import { platformRegistry, runExperiment } from '../../src/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('hypervisors an experiment dropped are collectable while it still runs (not kept until it returns)', (t) => {
  const native = platformRegistry.find((p) => p.name === 'native')!;
  const refs: WeakRef<object>[] = [];
  let collectedBeforeTheEnd = false;
  // An experiment that composes hypervisors one after another, dropping each, in one call.
  const sequential: Experiment = {
    id: 'sequential',
    title: 'compose, drop, compose',
    description: 'test',
    run(ctx): ResultRow[] {
      for (let i = 0; i < 4; i++) {
        composeFor(ctx, native, { memoryMiB: 64 });
        if (i === 3) {
          gc();
          collectedBeforeTheEnd = refs[0]!.deref() === undefined;
        }
      }
      return [];
    },
  };
  runExperiment(
    { experiment: sequential, composition: 'native', profile: modern, platforms: [native] },
    { seed: 1, observe: (hv) => refs.push(new WeakRef(hv)) },
  );
  t.true(collectedBeforeTheEnd);
});
