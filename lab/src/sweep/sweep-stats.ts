import type { ExperimentResult, ResultRow } from '@visorkit/workloads';
import type { SweepPoint, SweepValue } from './sweep-point.js';

/** Two-sided 95% quantiles of Student's t for 1…30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069,
  2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** t(0.975, df): the table up to 30, then the large-sample expansion 1.96 + 2.4/df (within 0.1% beyond 30). */
export function tQuantile975(df: number): number {
  return df <= 30 ? T975[df - 1]! : 1.959964 + 2.3722 / df;
}

/** Mean and 95% confidence interval (Student's t) of `xs`; the interval needs at least two. */
export function meanCi95(xs: readonly number[]): { mean: number; low?: number; high?: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean };
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  const half = tQuantile975(n - 1) * Math.sqrt(variance / n);
  return { mean, low: mean - half, high: mean + half };
}

/** The keys that identify a row (platform, metric, workload, domains…): every primitive but the value. */
function identity(row: ResultRow): string {
  return JSON.stringify(Object.entries(row).filter(([k, v]) => k !== 'value' && k !== 'counts' && (v === null || typeof v !== 'object')));
}

/**
 * Folds the points' results into one row per (grid point, row identity): the value is the
 * mean over seeds, `ci95Low`/`ci95High` its 95% interval (from two seeds up), `seeds` how many
 * went in, counts are means too, and each `--vary` key is a column. Rows come in point order.
 */
export function aggregateSweep(points: readonly SweepPoint[], results: readonly ExperimentResult[]): ResultRow[] {
  const groups = new Map<string, { assignment: Readonly<Record<string, SweepValue>>; row: ResultRow; values: number[]; counts: Record<string, number>[] }>();
  points.forEach((point, i) => {
    const assign = JSON.stringify(point.assignment);
    for (const row of results[i]!.results) {
      const key = `${assign}\u0000${identity(row)}`;
      let g = groups.get(key);
      if (g === undefined) groups.set(key, (g = { assignment: point.assignment, row, values: [], counts: [] }));
      g.values.push(row.value);
      g.counts.push({ ...row.counts });
    }
  });
  return [...groups.values()].map(({ assignment, row, values, counts }) => {
    const { mean, low, high } = meanCi95(values);
    const names = [...new Set(counts.flatMap((c) => Object.keys(c)))];
    const meanCounts = Object.fromEntries(names.map((k) => [k, counts.reduce((a, c) => a + (c[k] ?? 0), 0) / counts.length]));
    const { detail: _detail, ...keys } = row;
    return { ...keys, ...assignment, value: mean, ...(low !== undefined ? { ci95Low: low, ci95High: high } : {}), seeds: values.length, counts: meanCounts };
  });
}
