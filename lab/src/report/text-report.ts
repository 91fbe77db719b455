import Table from 'cli-table3';
import type { ExperimentResult } from '@visorkit/workloads';
import { explainDifferences } from './explain.js';
import { formatValue, metricTables } from './result-table.js';

/** The tables a person reads in the terminal, with published figures beside simulated ones. */
export function textReport(result: ExperimentResult): string {
  const out: string[] = [`${result.experiment} — ${result.composition} on ${result.profile} (seed ${result.seed})`];
  for (const t of metricTables(result)) {
    const hasPublished = t.lines.some((l) => l.published.some((v) => v !== undefined));
    const head = ['', ...t.platforms.flatMap((p) => (hasPublished ? [p, `${p} (paper)`] : [p]))];
    const table = new Table({ head, style: { head: [], border: [] } });
    for (const l of t.lines) {
      table.push([l.label || t.metric, ...t.platforms.flatMap((_, i) => (hasPublished ? [formatValue(l.values[i]), formatValue(l.published[i])] : [formatValue(l.values[i])]))]);
    }
    out.push(`\n${t.metric} (${t.unit})\n${table.toString()}`);
  }
  const why = explainDifferences(result);
  if (why.length) out.push('\nWhy they differ:\n' + why.map((l) => `  - ${l}`).join('\n'));
  return out.join('\n');
}

/** The same tables as Markdown, with a chart link per metric. */
export function markdownReport(result: ExperimentResult, charts: ReadonlyMap<string, string>): string {
  const out: string[] = [`## ${result.experiment} — ${result.composition} on \`${result.profile}\``, '', `Seed ${result.seed}.`, ''];
  const overview = charts.get('');
  if (overview !== undefined) out.push(`![${result.experiment}](${overview})`, '');
  for (const t of metricTables(result)) {
    const hasPublished = t.lines.some((l) => l.published.some((v) => v !== undefined));
    const head = ['', ...t.platforms.flatMap((p) => (hasPublished ? [p, `${p} (paper)`] : [p]))];
    out.push(`### ${t.metric} (${t.unit})`, '', `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
    for (const l of t.lines) {
      const cells = t.platforms.flatMap((_, i) => (hasPublished ? [formatValue(l.values[i]), formatValue(l.published[i])] : [formatValue(l.values[i])]));
      out.push(`| ${l.label || t.metric} | ${cells.join(' | ')} |`);
    }
    const chart = charts.get(t.metric);
    if (chart !== undefined) out.push('', `![${t.metric}](${chart})`);
    out.push('');
  }
  const why = explainDifferences(result);
  if (why.length) out.push('**Why the platforms differ** (from the mechanism counts):', '', ...why.map((l) => `- ${l}`), '');
  return out.join('\n');
}

/** All rows as CSV, counts as a JSON column. */
export function csvReport(results: readonly ExperimentResult[]): string {
  const lines = ['experiment,composition,profile,seed,platform,metric,value,unit,keys,counts'];
  const q = (s: string): string => `"${s.replaceAll('"', '""')}"`;
  for (const r of results) {
    for (const row of r.results) {
      const keys = Object.entries(row).filter(([k]) => !['platform', 'metric', 'value', 'unit', 'counts'].includes(k)).map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`).join(';');
      lines.push([r.experiment, r.composition, r.profile, r.seed, row.platform, row.metric, row.value, row.unit, q(keys), q(JSON.stringify(row.counts))].join(','));
    }
  }
  return lines.join('\n') + '\n';
}
