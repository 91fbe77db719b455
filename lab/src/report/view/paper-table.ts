import type { ExperimentResult, ResultRow } from '@visorkit/workloads';
import { publishedTableFor, type PublishedTable } from './published.js';

/** Keys every row has, or that describe the row rather than identify it. */
const NOT_IDENTIFYING = new Set(['platform', 'metric', 'value', 'unit', 'counts', 'expected', 'provenance', 'detail']);

/**
 * A row's identifying extra keys, e.g. `domains=4` or `mode=live memory-mb=64`.
 *
 * @public
 */
export function rowLabel(row: ResultRow): string {
  return (
    Object.keys(row)
      .filter((k) => !NOT_IDENTIFYING.has(k) && (typeof row[k] !== 'object' || row[k] === null))
      // A key that repeats the metric's name (relative's `workload=spec-cint`) adds nothing.
      .filter((k) => String(row[k]) !== row.metric)
      .sort()
      .map((k) => `${k}=${String(row[k])}`)
      .join(' ')
  );
}

/**
 * One platform's cell of a table row.
 *
 * @public
 */
export interface PaperCell {
  readonly value: number | undefined;
  /** The published figure, when a published table covers this cell. */
  readonly published?: number;
  /** (simulated − published) / published. */
  readonly error?: number;
  /** Whether a fitted parameter was fitted to this cell (`fitted`) or not (`predicted`), when the row says. */
  readonly provenance?: string;
}

/**
 * A table row: one metric (and its identifying keys), a cell per platform.
 *
 * @public
 */
export interface PaperRow {
  readonly metric: string;
  /** Identifying keys (`domains=4`), empty for a plain metric. */
  readonly label: string;
  readonly unit: string;
  readonly cells: readonly PaperCell[];
}

/**
 * An experiment's table in the paper's form: metrics as rows, platforms as columns.
 *
 * @public
 */
export interface PaperTable {
  readonly experiment: string;
  readonly composition: string;
  readonly profile: string;
  readonly seed: number;
  readonly platforms: readonly string[];
  readonly rows: readonly PaperRow[];
  /** The published table its cells are compared with, if any. */
  readonly published: PublishedTable | undefined;
  /** True when some cell has a published figure. */
  readonly hasPublished: boolean;
  /** True when some row says whether it was fitted or predicted. */
  readonly hasProvenance: boolean;
}

/**
 * Builds the table of one run: rows in first-seen order of metric, then of their keys.
 *
 * @public
 */
export function paperTable(result: ExperimentResult): PaperTable {
  const platforms = [...new Set(result.results.map((r) => r.platform))];
  const published = publishedTableFor(result);
  const byRow = new Map<string, { metric: string; label: string; unit: string; rows: Map<string, ResultRow> }>();
  const metricOrder = new Map<string, number>();
  for (const r of result.results) {
    if (!metricOrder.has(r.metric)) metricOrder.set(r.metric, metricOrder.size);
    const label = rowLabel(r);
    const key = `${r.metric}\u0000${label}`;
    let entry = byRow.get(key);
    if (entry === undefined) {
      entry = { metric: r.metric, label, unit: r.unit, rows: new Map() };
      byRow.set(key, entry);
    }
    entry.rows.set(r.platform, r);
  }
  const entries = [...byRow.values()].map((e, i) => ({ e, i })).sort((a, b) => metricOrder.get(a.e.metric)! - metricOrder.get(b.e.metric)! || a.i - b.i);
  let hasPublished = false;
  let hasProvenance = false;
  const rows: PaperRow[] = entries.map(({ e }) => ({
    metric: e.metric,
    label: e.label,
    unit: e.unit,
    cells: platforms.map((p) => {
      const row = e.rows.get(p);
      const pub = published !== undefined && e.label === '' ? published.value(e.metric, p) : undefined;
      const provenance = typeof row?.['provenance'] === 'string' ? (row['provenance'] as string) : undefined;
      if (pub !== undefined) hasPublished = true;
      if (provenance !== undefined) hasProvenance = true;
      return {
        value: row?.value,
        ...(pub !== undefined ? { published: pub, ...(row !== undefined ? { error: (row.value - pub) / pub } : {}) } : {}),
        ...(provenance !== undefined ? { provenance } : {}),
      };
    }),
  }));
  return {
    experiment: result.experiment,
    composition: result.composition,
    profile: result.profile,
    seed: result.seed,
    platforms,
    rows,
    published,
    hasPublished,
    hasProvenance,
  };
}

/**
 * The name of a table row as printed: the metric and its keys.
 *
 * @public
 */
export function rowName(row: PaperRow): string {
  return row.label ? `${row.metric} · ${row.label}` : row.metric;
}
