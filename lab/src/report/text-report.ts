import Table from 'cli-table3';
import type { ExperimentResult } from '@visorkit/workloads';
import { experimentRegistry } from '../experiments/experiment-registry.js';
import { explainDifferences, fidelitySummary, formatError, formatValue, paperTable } from './view/index.js';

/** Borders of a compact terminal table: rules above, below and under the header only. */
const CHARS = {
  top: '─',
  'top-mid': '─',
  'top-left': '',
  'top-right': '',
  bottom: '─',
  'bottom-mid': '─',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: ' ',
};

/**
 * A run's table as the terminal shows it: metrics as rows, platforms as columns, each cell the
 * simulated value with the published figure, the error and the provenance beside it when known.
 *
 * @public
 */
export function textReport(result: ExperimentResult, title = experimentTitle(result.experiment)): string {
  const t = paperTable(result);
  const table = new Table({
    head: ['', 'unit', ...t.platforms],
    chars: CHARS,
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 1 },
  });
  for (const row of t.rows) {
    const cells = row.cells.map((c) => {
      const extra = [
        c.published !== undefined ? `paper ${formatValue(c.published)}` : '',
        c.error !== undefined ? formatError(c.error) : '',
        c.provenance ?? '',
      ]
        .filter(Boolean)
        .join(' ');
      return extra ? `${formatValue(c.value)} (${extra})` : formatValue(c.value);
    });
    table.push([row.label ? `${row.metric} ${row.label}` : row.metric, row.unit, ...cells]);
  }
  const out = [`${result.experiment}: ${title} — ${result.composition} on ${result.profile} (seed ${result.seed})`, table.toString()];
  const why = explainDifferences(result);
  if (why.length) out.push(...why.map((l) => `  · ${l}`));
  return out.join('\n');
}

/**
 * The fidelity summary for the terminal: per published table, median and worst error.
 *
 * @public
 */
export function textFidelity(results: readonly ExperimentResult[]): string {
  const lines = fidelitySummary(results);
  if (lines.length === 0) return '';
  const table = new Table({
    head: ['published table', 'runs', 'cells', 'median |err|', 'worst error', 'fitted/predicted'],
    chars: CHARS,
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 1 },
  });
  for (const l of lines)
    table.push([
      l.table.id,
      l.runs.join('; '),
      l.cells,
      `${(l.medianError * 100).toFixed(1)}%`,
      `${formatError(l.worst.error)} (${l.worst.metric}, ${l.worst.platform})`,
      l.fitted + l.predicted > 0 ? `${l.fitted}/${l.predicted}` : '—',
    ]);
  return `Fidelity against published figures\n${table.toString()}`;
}

/**
 * All rows as CSV, counts as a JSON column.
 *
 * @public
 */
export function csvReport(results: readonly ExperimentResult[]): string {
  const lines = ['experiment,composition,profile,seed,platform,metric,value,unit,keys,counts'];
  const q = (s: string): string => `"${s.replaceAll('"', '""')}"`;
  for (const r of results) {
    for (const row of r.results) {
      const keys = Object.entries(row)
        .filter(([k]) => !['platform', 'metric', 'value', 'unit', 'counts'].includes(k))
        .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
        .join(';');
      lines.push(
        [r.experiment, r.composition, r.profile, r.seed, row.platform, row.metric, row.value, row.unit, q(keys), q(JSON.stringify(row.counts))].join(','),
      );
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * An experiment's title from the registry, or its id.
 *
 * @public
 */
export function experimentTitle(id: string): string {
  return experimentRegistry.find((e) => e.id === id)?.title ?? id;
}
