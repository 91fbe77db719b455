import 'reflect-metadata';
import test from 'ava';
import { xen2003 } from '../src/index.js';

test('xen-2003:scalability — 128 Xen domains keep at least 0.9 of peak with 50 ms slices and visibly less with 5 ms', (t) => {
  const experiment = xen2003.experiments.find((e) => e.id === 'scalability')!;
  const rows = experiment.run({ profile: xen2003.profile, platforms: xen2003.platforms.filter((p) => p.name === 'xen-pv'), seed: 1 });
  const at = (metric: string, n: number) => rows.find((r) => r.metric === metric && r.domains === n)!.value;
  for (const n of [1, 2, 4, 8, 16, 32, 64, 128]) t.true(at('aggregate-50ms', n) >= 0.9, `${n} domains, 50 ms: ${at('aggregate-50ms', n)}`);
  t.true(at('aggregate-5ms', 128) < at('aggregate-50ms', 128) - 0.05, `128 domains: 5 ms ${at('aggregate-5ms', 128)} vs 50 ms ${at('aggregate-50ms', 128)}`);
  // The density limit: on the 2003 testbed's 2 GB, memory runs out before the CPUs do, past the 128 domains measured above.
  const density = rows.find((r) => r.metric === 'density-limit')!;
  t.is(density.limit, 'memory');
  t.true(density.value >= 128, `${density.value} domains fit`);
});
