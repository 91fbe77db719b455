import test from 'ava';
import { runFuzz } from '../../src/fuzz/run-fuzz.js';

// The short run of `npm run fuzz`: 10,000 hostile and well-behaved operations per bundled
// plugin, every isolation invariant checked after each (the soak runs a million).
for (const plugin of ['native', 'xen-pv', 'vserver', 'hw-assist']) {
  test(`${plugin}: 10,000 hostile operations breach no isolation invariant`, async (t) => {
    const { report, breach } = await runFuzz({ plugin, ops: 10_000, seed: 1 });
    t.is(breach, undefined, breach === undefined ? '' : `${breach.message} after ${breach.operations.length} operations: ${JSON.stringify(breach.operations)}`);
    t.is(report.breaches, 0);
    t.true(report.ops >= 10_000, `only ${report.ops} operations ran`);
    t.true(report.invariantsChecked > report.ops, 'fewer invariant checks than operations');
  });
}
