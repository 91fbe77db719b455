import 'reflect-metadata';
import test from 'ava';
import { clark2005, clarkWwsExperiment, migrationWorkload, poweredge2650 } from '@visorkit/example-clark-2005';
import { paperFigures } from '../../src/report/view/index.js';

test('clark-2005:wws is drawn as pages dirtied per 50 ms window, one figure per workload, its mean and distinct pages in the caption', (t) => {
  const experiment = clarkWwsExperiment({
    workloads: [migrationWorkload('quake3'), migrationWorkload('mmuncher')],
    scale: () => ({ vmMiB: 16, clients: 6 }),
    windowNs: 5e8,
  });
  const results = experiment.run({ profile: poweredge2650, platforms: clark2005.platforms, seed: 1 });
  const figures = paperFigures({ experiment: 'wws', composition: 'clark-2005', profile: poweredge2650.name, seed: 1, results });
  for (const workload of ['quake3', 'mmuncher']) {
    const figure = figures.find((f) => f.id.endsWith(`${workload}-wws`));
    t.truthy(figure, figures.map((f) => f.id).join(', '));
    const mean = results.find((r) => r.workload === workload && r.metric === 'mean-pages-dirtied')!.value;
    t.true(figure!.caption.includes(`mean ${mean.toFixed(1)} pages per window`), figure!.caption);
    t.true(figure!.caption.includes('50 ms window'), figure!.caption);
    t.true(figure!.svg.includes('pages dirtied per 50 ms'));
    // One marker per window: ten 50 ms windows in half a second.
    t.is(results.filter((r) => r.workload === workload && r.metric === 'pages-dirtied').length, 10);
  }
  t.false(
    figures.some((f) => f.id.endsWith('-service')),
    'no migration service chart without a migration',
  );
});
