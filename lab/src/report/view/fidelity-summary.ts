import type { ExperimentResult } from '@visorkit/workloads';
import { paperTable } from './paper-table.js';
import type { PublishedTable } from './published.js';

/**
 * How close one published table's cells came, over every run compared with it.
 *
 * @public
 */
export interface FidelityLine {
  readonly table: PublishedTable;
  /** The runs compared (`vserver-2007 on server-2007`). */
  readonly runs: readonly string[];
  /** Cells with both a simulated and a published figure. */
  readonly cells: number;
  /** Median of |error| over those cells. */
  readonly medianError: number;
  /** The cell with the largest |error|. */
  readonly worst: { readonly error: number; readonly metric: string; readonly platform: string };
  /** Cells whose rows say `fitted` / `predicted` (0 and 0 when rows do not say). */
  readonly fitted: number;
  readonly predicted: number;
  /** Median |error| of the `predicted` cells alone, when there are any. */
  readonly medianPredictedError: number | undefined;
}

/**
 * Per published table, the median and worst error of the simulated figures against it.
 *
 * @public
 */
export function fidelitySummary(results: readonly ExperimentResult[]): FidelityLine[] {
  const byTable = new Map<PublishedTable, { runs: string[]; errors: { error: number; metric: string; platform: string; provenance: string | undefined }[] }>();
  for (const result of results) {
    const table = paperTable(result);
    if (table.published === undefined || !table.hasPublished) continue;
    const entry = byTable.get(table.published) ?? { runs: [], errors: [] };
    entry.runs.push(`${result.composition} on ${result.profile}`);
    for (const row of table.rows) {
      row.cells.forEach((c, i) => {
        if (c.error !== undefined) entry.errors.push({ error: c.error, metric: row.metric, platform: table.platforms[i]!, provenance: c.provenance });
      });
    }
    byTable.set(table.published, entry);
  }
  const lines: FidelityLine[] = [];
  for (const [table, { runs, errors }] of byTable) {
    if (errors.length === 0) continue;
    const worst = errors.reduce((a, b) => (Math.abs(b.error) > Math.abs(a.error) ? b : a));
    const predicted = errors.filter((e) => e.provenance === 'predicted');
    lines.push({
      table,
      runs,
      cells: errors.length,
      medianError: median(errors.map((e) => Math.abs(e.error))),
      worst: { error: worst.error, metric: worst.metric, platform: worst.platform },
      fitted: errors.filter((e) => e.provenance === 'fitted').length,
      predicted: predicted.length,
      medianPredictedError: predicted.length > 0 ? median(predicted.map((e) => Math.abs(e.error))) : undefined,
    });
  }
  return lines;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
