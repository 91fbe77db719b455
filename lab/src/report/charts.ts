import * as vega from 'vega';
import type { ResultRow } from '@visorkit/workloads';
import { rowLabel } from './result-table.js';

/** Row keys that make a metric a sweep, drawn as a line chart. */
const SWEEP_KEYS = ['domains', 'instances', 'memory-mb'];

interface Datum {
  readonly label: string;
  readonly platform: string;
  readonly value: number;
  readonly x?: number;
}

/**
 * Renders one metric's rows as an SVG chart in the paper's forms: a line chart over the sweep
 * key when the rows carry one (scalability, concurrency), otherwise grouped bars (one group
 * per row label, one bar per platform).
 */
export async function renderMetricChart(metric: string, unit: string, rows: readonly ResultRow[], labelOf: (row: ResultRow) => string = (r) => rowLabel(r) || metric): Promise<string> {
  const sweepKey = SWEEP_KEYS.find((k) => rows.every((r) => typeof r[k] === 'number'));
  const data: Datum[] = rows.map((r) => ({
    label: labelOf(r),
    platform: r.platform,
    value: r.value,
    ...(sweepKey !== undefined ? { x: r[sweepKey] as number } : {}),
  }));
  const spec = sweepKey !== undefined ? lineSpec(metric, unit, sweepKey, data) : barSpec(metric, unit, data);
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

const COLOURS = { scheme: 'tableau10' };

function lineSpec(metric: string, unit: string, key: string, data: Datum[]): vega.Spec {
  // Different labels with the same x are separate series (e.g. two slice lengths).
  const series = data.map((d) => ({ ...d, series: `${d.platform}${labelWithout(d.label, key)}` }));
  return {
    width: 520,
    height: 280,
    padding: 8,
    title: { text: `${metric} (${unit})` },
    data: [{ name: 'rows', values: series }],
    scales: [
      { name: 'x', type: 'log', base: 2, domain: { data: 'rows', field: 'x' }, range: 'width', nice: false },
      { name: 'y', type: 'linear', domain: { data: 'rows', field: 'value' }, range: 'height', nice: true, zero: true },
      { name: 'colour', type: 'ordinal', domain: { data: 'rows', field: 'series' }, range: COLOURS },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: key },
      { orient: 'left', scale: 'y', title: unit, grid: true },
    ],
    legends: [{ fill: 'colour', title: 'platform' }],
    marks: [
      {
        type: 'group',
        from: { facet: { name: 'line', data: 'rows', groupby: 'series' } },
        marks: [
          {
            type: 'line',
            from: { data: 'line' },
            sort: { field: 'datum.x' },
            encode: { enter: { x: { scale: 'x', field: 'x' }, y: { scale: 'y', field: 'value' }, stroke: { scale: 'colour', field: 'series' }, strokeWidth: { value: 2 } } },
          },
          {
            type: 'symbol',
            from: { data: 'line' },
            encode: { enter: { x: { scale: 'x', field: 'x' }, y: { scale: 'y', field: 'value' }, fill: { scale: 'colour', field: 'series' }, size: { value: 30 } } },
          },
        ],
      },
    ],
  } as vega.Spec;
}

function barSpec(metric: string, unit: string, data: Datum[]): vega.Spec {
  const labels = new Set(data.map((d) => d.label)).size;
  return {
    width: Math.max(240, labels * 70),
    height: 260,
    padding: 8,
    title: { text: `${metric} (${unit})` },
    data: [{ name: 'rows', values: data }],
    scales: [
      { name: 'x', type: 'band', domain: { data: 'rows', field: 'label' }, range: 'width', padding: 0.2 },
      { name: 'y', type: 'linear', domain: { data: 'rows', field: 'value' }, range: 'height', nice: true, zero: true },
      { name: 'colour', type: 'ordinal', domain: { data: 'rows', field: 'platform' }, range: COLOURS },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', labelAngle: labels > 6 ? -35 : 0, labelAlign: labels > 6 ? 'right' : 'center' },
      { orient: 'left', scale: 'y', title: unit, grid: true },
    ],
    legends: [{ fill: 'colour', title: 'platform' }],
    marks: [
      {
        type: 'group',
        from: { facet: { name: 'group', data: 'rows', groupby: 'label' } },
        encode: { enter: { x: { scale: 'x', field: 'label' }, width: { scale: 'x', band: 1 } } },
        signals: [{ name: 'width', update: "bandwidth('x')" }],
        scales: [{ name: 'inner', type: 'band', range: 'width', domain: { data: 'group', field: 'platform' } }],
        marks: [
          {
            type: 'rect',
            from: { data: 'group' },
            encode: {
              enter: {
                x: { scale: 'inner', field: 'platform' },
                width: { scale: 'inner', band: 1 },
                y: { scale: 'y', field: 'value' },
                y2: { scale: 'y', value: 0 },
                fill: { scale: 'colour', field: 'platform' },
              },
            },
          },
        ],
      },
    ],
  } as vega.Spec;
}

/**
 * One chart of a whole experiment, in the paper's form (e.g. relative performance of every
 * workload, or both concurrency curves), when its 2 to 8 metrics share one unit; else none.
 */
export async function renderOverviewChart(experiment: string, rows: readonly ResultRow[]): Promise<string | undefined> {
  const metrics = new Set(rows.map((r) => r.metric));
  const units = new Set(rows.map((r) => r.unit));
  if (metrics.size < 2 || metrics.size > 8 || units.size !== 1) return undefined;
  const label = (r: ResultRow): string => {
    // A key repeating the metric's name (relative's `workload`) adds nothing to the label.
    const rest = rowLabel(r)
      .split(' ')
      .filter((p) => p && p.split('=')[1] !== r.metric)
      .join(' ');
    return rest ? `${r.metric} ${rest}` : r.metric;
  };
  return renderMetricChart(experiment, [...units][0]!, rows, label);
}

function labelWithout(label: string, key: string): string {
  const rest = label.split(' ').filter((p) => p && !p.startsWith(`${key}=`)).join(' ');
  return rest ? ` ${rest}` : '';
}
