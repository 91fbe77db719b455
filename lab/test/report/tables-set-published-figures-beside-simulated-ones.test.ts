import test from 'ava';
import type { ExperimentResult, ResultRow } from '@visorkit/workloads';
import { fidelitySummary, paperTable, publishedTables, tableHtml } from '../../src/report/view/index.js';

const row = (platform: string, metric: string, value: number, extra: Record<string, unknown> = {}): ResultRow => ({
  platform,
  metric,
  value,
  unit: 'us',
  counts: {},
  ...extra,
});
const micro = (profile: string, rows: ResultRow[]): ExperimentResult => ({ experiment: 'micro', composition: 'c', profile, seed: 1, results: rows });
const seed = publishedTables[0]!;

test('a table has metrics as rows and platforms as columns, in first-seen order', (t) => {
  const table = paperTable(micro('modern', [row('native', 'fork', 1), row('native', 'exec', 2), row('xen-pv', 'fork', 3), row('xen-pv', 'exec', 4)]));
  t.deepEqual(table.platforms, ['native', 'xen-pv']);
  t.deepEqual(
    table.rows.map((r) => r.metric),
    ['fork', 'exec'],
  );
  t.deepEqual(
    table.rows.map((r) => r.cells.map((c) => c.value)),
    [
      [1, 3],
      [2, 4],
    ],
  );
});

test('published figures and the error appear only on runs of the machine they were measured on', (t) => {
  const pub = seed.value('fork', 'xen-pv')!;
  const on = paperTable(micro(seed.profile, [row('xen-pv', 'fork', pub * 1.1)]));
  t.true(on.hasPublished);
  t.is(on.rows[0]!.cells[0]!.published, pub);
  t.true(Math.abs(on.rows[0]!.cells[0]!.error! - 0.1) < 1e-9);
  const off = paperTable(micro('xeon-2003', [row('xen-pv', 'fork', pub * 1.1)]));
  t.false(off.hasPublished);
  t.is(off.rows[0]!.cells[0]!.published, undefined);
});

test('a row that says whether it was fitted or predicted shows it; rows that do not, show nothing', (t) => {
  const table = paperTable(micro(seed.profile, [row('native', 'fork', 90, { provenance: 'fitted' }), row('native', 'exec', 300)]));
  t.true(table.hasProvenance);
  t.is(table.rows[0]!.cells[0]!.provenance, 'fitted');
  t.is(table.rows[1]!.cells[0]!.provenance, undefined);
  // Provenance describes a row; it never splits one metric into two rows.
  t.is(table.rows.length, 2);
  t.regex(tableHtml(table, 1, 'Micro'), /class="prov">fitted</);
  t.false(tableHtml(paperTable(micro(seed.profile, [row('native', 'fork', 90)])), 1, 'Micro').includes('class="prov"'));
});

test('the fidelity summary gives, per published table, the median and the worst error', (t) => {
  const p = (m: string, pl: string): number => seed.value(m, pl)!;
  const result = micro(seed.profile, [
    row('native', 'fork', p('fork', 'native') * 1.1),
    row('native', 'exec', p('exec', 'native') * 0.8),
    row('xen-pv', 'fork', p('fork', 'xen-pv') * 1.05),
    row('native', 'null-call', 1),
  ]);
  const [line, ...rest] = fidelitySummary([result, micro('modern', [row('native', 'fork', 1)])]);
  t.deepEqual(rest, []);
  t.is(line!.cells, 3);
  t.true(Math.abs(line!.medianError - 0.1) < 1e-9);
  t.is(line!.worst.metric, 'exec');
  t.true(Math.abs(line!.worst.error + 0.2) < 1e-9);
  t.deepEqual(line!.runs, [`c on ${seed.profile}`]);
});
