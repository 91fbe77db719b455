import { publishedFigure, type ExperimentResult, type ResultRow } from '@visorkit/workloads';

/** Keys every row has; any other key identifies the row within its metric. */
const CORE_KEYS = new Set(['platform', 'metric', 'value', 'unit', 'counts', 'provenance']);

/** A row's identifying extra keys, e.g. `domains=4` or `workload=osdb`. */
export function rowLabel(row: ResultRow): string {
  return Object.keys(row)
    .filter((k) => !CORE_KEYS.has(k) && k !== 'expected' && (typeof row[k] !== 'object' || row[k] === null))
    .sort()
    .map((k) => `${k}=${String(row[k])}`)
    .join(' ');
}

/** One printable table: a metric's rows as lines, platforms as columns. */
export interface MetricTable {
  readonly metric: string;
  readonly unit: string;
  readonly platforms: readonly string[];
  /** Label, then per platform: simulated value and published value (if any). */
  readonly lines: readonly { label: string; values: (number | undefined)[]; published: (number | undefined)[] }[];
}

/** Groups a result into one table per metric, in first-seen order. */
export function metricTables(result: ExperimentResult): MetricTable[] {
  const byMetric = new Map<string, ResultRow[]>();
  for (const r of result.results) {
    const list = byMetric.get(r.metric) ?? [];
    list.push(r);
    byMetric.set(r.metric, list);
  }
  const tables: MetricTable[] = [];
  for (const [metric, rows] of byMetric) {
    const platforms = [...new Set(rows.map((r) => r.platform))];
    const labels = [...new Set(rows.map(rowLabel))];
    const lines = labels.map((label) => ({
      label,
      values: platforms.map((p) => rows.find((r) => r.platform === p && rowLabel(r) === label)?.value),
      published: platforms.map((p) => publishedFigure(result.experiment, metric, p, result.profile)),
    }));
    tables.push({ metric, unit: rows[0]!.unit, platforms, lines });
  }
  return tables;
}

/** Formats a value with sensible precision. */
export function formatValue(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '—';
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 0.01 || a >= 1e7)) return v.toExponential(3);
  if (a >= 100) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(4);
}
