import type { ExperimentResult } from '@visorkit/workloads';
import { explainDifferences } from './explain.js';
import { fidelitySummary } from './fidelity-summary.js';
import { formatError, formatValue } from './format.js';
import type { PaperFigure } from './paper-figures.js';
import { paperTable } from './paper-table.js';

/**
 * The fidelity summary as a Markdown table.
 *
 * @public
 */
export function fidelityMarkdown(results: readonly ExperimentResult[]): string {
  const lines = fidelitySummary(results);
  if (lines.length === 0) return 'No run in this report has a published table to compare with.\n';
  const out = ['| published table | compared runs | cells | median \\|error\\| | worst error (cell) | fitted / predicted |', '|---|---|--:|--:|--:|--:|'];
  for (const l of lines)
    out.push(
      `| ${l.table.id} | ${l.runs.join('; ')} | ${l.cells} | ${(l.medianError * 100).toFixed(1)}% | ${formatError(l.worst.error)} (${l.worst.metric}, ${l.worst.platform}) | ${l.fitted + l.predicted > 0 ? `${l.fitted} / ${l.predicted}` : '—'} |`,
    );
  out.push('', ...lines.map((l) => `*${l.table.id}*: ${l.table.caption}; source: ${l.table.source}.`));
  return out.join('\n') + '\n';
}

/**
 * One run as Markdown: its table (published figures, error, provenance beside), figures, why.
 *
 * @public
 */
export function resultMarkdown(result: ExperimentResult, figures: readonly { figure: PaperFigure; file: string }[], title = result.experiment): string {
  const t = paperTable(result);
  const out = [`### ${result.experiment}: ${title}`, '', `${result.composition} on \`${result.profile}\`, seed ${result.seed}.`, ''];
  const head = ['metric', 'unit', ...t.platforms.flatMap((p) => (t.hasPublished ? [p, `${p} paper`, `${p} error`] : [p]))];
  out.push(`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 ? '---' : '--:')).join('|')}|`);
  for (const row of t.rows) {
    const cells = row.cells.flatMap((c) => {
      const prov = c.provenance !== undefined ? ` (${c.provenance})` : '';
      return t.hasPublished
        ? [formatValue(c.value), c.published !== undefined ? formatValue(c.published) : '', `${c.error !== undefined ? formatError(c.error) : ''}${prov}`]
        : [`${formatValue(c.value)}${prov}`];
    });
    out.push(`| ${row.label ? `${row.metric} ${row.label}` : row.metric} | ${row.unit} | ${cells.join(' | ')} |`);
  }
  if (t.hasPublished && t.published !== undefined) out.push('', `Published: ${t.published.caption}; source: ${t.published.source}.`);
  for (const { figure, file } of figures) out.push('', `![${figure.caption}](${file})`, '', `*${figure.caption}*`);
  const why = explainDifferences(result);
  if (why.length) out.push('', '**Why the platforms differ** (from the mechanism counts):', '', ...why.map((l) => `- ${l}`));
  out.push('');
  return out.join('\n');
}
