import 'reflect-metadata';
import test from 'ava';
import { xen2003 } from '../src/index.js';

test('xen-2003:isolation — Xen 1.x keeps a database and a web server within 5% beside a disk hog and a fork bomb; one OS does not', (t) => {
  const experiment = xen2003.experiments.find((e) => e.id === 'isolation')!;
  const rows = experiment.run({ profile: xen2003.profile, platforms: xen2003.platforms, seed: 1 });
  for (const r of rows) {
    if (r.platform === 'xen-pv') t.true(r.value < 0.05, `${String(r.workload)}: ${r.value}`);
    else t.true(r.value > 0.25, `${r.platform} ${String(r.workload)}: ${r.value}`);
  }
  t.is(rows.length, 4);
});
