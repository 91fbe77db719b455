import test from 'ava';
import fc from 'fast-check';
import type { ExperimentResult, ResultRow } from '@visorkit/workloads';
import { paperFigures, reportPage } from '../../src/report/view/index.js';

const result = (experiment: string, rows: ResultRow[]): ExperimentResult => ({ experiment, composition: 'c', profile: 'p', seed: 1, results: rows });
const r = (platform: string, metric: string, value: number, unit: string, extra: Record<string, unknown> = {}): ResultRow => ({
  platform,
  metric,
  value,
  unit,
  counts: {},
  ...extra,
});

test('a micro-benchmark table becomes one chart of bars normalised to native, a bar per other platform and metric', (t) => {
  const metrics = ['null-call', 'fork', 'exec', 'page-fault'];
  const rows = ['native', 'xen-pv', 'vserver'].flatMap((p, i) => metrics.map((m, j) => r(p, m, (j + 1) * (i + 1), 'us')));
  const figures = paperFigures(result('micro', rows));
  t.is(figures.length, 1);
  const svg = figures[0]!.svg;
  t.true(svg.startsWith('<svg'));
  // 2 platforms × 4 metrics bars (native is the reference line, not a bar).
  t.is((svg.match(/<rect [^>]*><title>/g) ?? []).length, 8);
  t.regex(svg, /xen-pv · fork: 2\.000/);
});

test('single numbers, capabilities and flat sweeps get a table and no figure', (t) => {
  t.deepEqual(paperFigures(result('density', [r('native', 'density-limit', 3, 'instances'), r('xen-pv', 'density-limit', 2, 'instances')])), []);
  t.deepEqual(paperFigures(result('features', [r('native', 'live-migration', 0, 'works'), r('xen-pv', 'live-migration', 1, 'works')])), []);
  const flat = [1, 2, 4, 8].map((d) => r('native', 'jain-fairness', 1, 'index', { domains: d }));
  t.deepEqual(paperFigures(result('cpu-share', flat)), []);
});

test('a sweep over domains or instances becomes a curve per platform; migrations a timeline', (t) => {
  const sweep = ['native', 'xen-pv'].flatMap((p, i) => [1, 2, 4, 8].map((d) => r(p, 'aggregate', 1 - i * 0.01 * d, 'normalised', { domains: d })));
  const [curve] = paperFigures(result('scalability', sweep));
  t.regex(curve!.caption, /scalability/);
  t.is((curve!.svg.match(/<path d="M/g) ?? []).length, 2);
  const mig = ['live', 'stop-and-copy'].flatMap((mode) => [
    r('xen-pv', 'downtime-ms', mode === 'live' ? 1 : 50, 'ms', { mode, 'memory-mb': 64, workload: 'idle' }),
    r('xen-pv', 'total-ms', mode === 'live' ? 200 : 50, 'ms', { mode, 'memory-mb': 64, workload: 'idle' }),
  ]);
  const [timeline] = paperFigures(result('migration', mig));
  t.regex(timeline!.caption, /timeline/);
  t.regex(timeline!.svg, /idle · live/);
});

test('the report page is one self-contained document: no external script, style, image or font', (t) => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.constantFrom('native', 'xen-pv', 'vserver'),
          fc.constantFrom('fork', 'exec', 'sh', 'stat', 'mmap'),
          fc.double({ min: 0.01, max: 1e4, noNaN: true }),
        ),
        { minLength: 1, maxLength: 30 },
      ),
      (cells) => {
        const html = reportPage([
          result(
            'micro',
            cells.map(([p, m, v]) => r(p, m, v, 'us')),
          ),
        ]);
        return (
          html.startsWith('<!doctype html>') &&
          !/<(script|link|img)\b/i.test(html) &&
          !/url\((?!#)/.test(html) &&
          !/https?:\/\//.test(html.replace('http://www.w3.org/2000/svg', ''))
        );
      },
    ),
  );
  t.pass();
});
