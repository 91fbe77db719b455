import 'reflect-metadata';
import test from 'ava';
import { clark2005, clarkMigrationExperiment, migrationWorkload, poweredge2650 } from '@visorkit/example-clark-2005';
import { paperFigures } from '../../src/report/view/index.js';

test('a migration under load is drawn as the service its users saw, with a mark where each round began and where the guest stopped', (t) => {
  const experiment = clarkMigrationExperiment({ workloads: [migrationWorkload('quake3')], scale: () => ({ vmMiB: 16, clients: 6 }) });
  const results = experiment.run({ profile: poweredge2650, platforms: clark2005.platforms, seed: 1 });
  const figures = paperFigures({ experiment: 'migration', composition: 'clark-2005', profile: poweredge2650.name, seed: 1, results });
  const service = figures.find((f) => f.id.endsWith('quake3-service'));
  t.truthy(service, figures.map((f) => f.id).join(', '));
  const rounds = (results.find((r) => r.metric === 'total-ms')!.detail as { rounds: unknown[] }).rounds.length;
  t.is((service!.svg.match(/stroke-dasharray="3,3"/g) ?? []).length, rounds + 1, 'a mark per round and one for the stop');
  t.true(service!.svg.includes('>stop<'));
});
