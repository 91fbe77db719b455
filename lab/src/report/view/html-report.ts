import type { ExperimentResult } from '@visorkit/workloads';
import { explainDifferences } from './explain.js';
import { fidelitySummary, type FidelityLine } from './fidelity-summary.js';
import { escapeXml as esc, formatError, formatValue } from './format.js';
import { paperFigures, type PaperFigure } from './paper-figures.js';
import { paperTable, type PaperTable } from './paper-table.js';

/**
 * Running numbers of tables and figures across a page, as a paper numbers them.
 *
 * @public
 */
export interface Numbering {
  table: number;
  figure: number;
}

/**
 * How to name experiments (their registry titles), when known.
 *
 * @public
 */
export interface ReportNames {
  readonly titleOf?: (experiment: string) => string | undefined;
}

/**
 * The page's style: a printed paper's (serif text, ruled tables, captioned figures).
 *
 * @public
 */
export const REPORT_CSS = `
.vk-report{font-family:'Times New Roman',Times,'Liberation Serif','DejaVu Serif',serif;color:#111;line-height:1.35;font-size:15px}
.vk-report h1{font-size:1.6em;text-align:center;margin:.4em 0 .2em}
.vk-report h2{font-size:1.2em;margin:1.6em 0 .4em;border-bottom:1px solid #999}
.vk-report h3{font-size:1.05em;margin:1.2em 0 .3em}
.vk-report .abstract{max-width:44em;margin:0 auto 1.2em;font-size:.95em;text-align:justify}
.vk-report table.paper{border-collapse:collapse;margin:.4em auto 1em;font-variant-numeric:tabular-nums;font-size:.9em;border-top:2px solid #000;border-bottom:2px solid #000}
.vk-report table.paper{min-width:30em}.vk-report table.paper caption{caption-side:top;text-align:left;padding:.2em 0 .4em;font-size:.95em}
.vk-report table.paper th,.vk-report table.paper td{padding:.15em .55em;text-align:right;white-space:nowrap}
.vk-report table.paper th{font-weight:normal;border-bottom:1px solid #000}
.vk-report table.paper thead tr:first-child th{border-bottom:1px solid #666}
.vk-report table.paper td.name,.vk-report table.paper th.name{text-align:left}
.vk-report table.paper td.pub{color:#444}
.vk-report table.paper td.err{font-style:italic}
.vk-report table.paper td.unit{text-align:left;color:#444}
.vk-report table.paper .prov{font-variant:small-caps;color:#555;margin-left:.3em}
.vk-report table.paper tbody tr.first td{border-top:1px solid #ccc}
.vk-report figure{margin:.6em auto 1.2em;text-align:center}
.vk-report figure svg{max-width:100%;height:auto}
.vk-report figcaption{font-size:.9em;max-width:42em;margin:.2em auto 0;text-align:left}
.vk-report ul.why{font-size:.9em;margin:.2em 0 1em}
.vk-report nav ol{columns:2;font-size:.9em}
.vk-report .scroll{overflow-x:auto}
`;

/**
 * An experiment's table as a paper's HTML table (published figures, error and provenance beside).
 *
 * @public
 */
export function tableHtml(table: PaperTable, n: number, title: string): string {
  const pub = table.hasPublished;
  const span = pub ? 3 : 1;
  const head1 = `<tr><th class="name" rowspan="${pub ? 2 : 1}">metric</th><th class="name" rowspan="${pub ? 2 : 1}">unit</th>${table.platforms.map((p) => `<th colspan="${span}">${esc(p)}</th>`).join('')}</tr>`;
  const head2 = pub ? `<tr>${table.platforms.map(() => '<th>sim.</th><th>paper</th><th>error</th>').join('')}</tr>` : '';
  // Rules between a sweep's metrics; a plain table needs none.
  const grouped = table.rows.some((r) => r.label !== '');
  let previous = '';
  const body = table.rows
    .map((row) => {
      const first = grouped && row.metric !== previous && previous !== '';
      previous = row.metric;
      const cells = row.cells
        .map((c) => {
          const prov = c.provenance !== undefined ? `<span class="prov">${esc(c.provenance)}</span>` : '';
          if (!pub) return `<td>${formatValue(c.value)}${prov}</td>`;
          return `<td>${formatValue(c.value)}</td><td class="pub">${c.published !== undefined ? formatValue(c.published) : ''}</td><td class="err">${c.error !== undefined ? formatError(c.error) : ''}${prov}</td>`;
        })
        .join('');
      return `<tr${first ? ' class="first"' : ''}><td class="name">${esc(row.metric)}${row.label ? ` <span class="unit">${esc(row.label)}</span>` : ''}</td><td class="unit">${esc(row.unit)}</td>${cells}</tr>`;
    })
    .join('');
  const source =
    table.published !== undefined && pub
      ? ` Published figures: ${esc(table.published.caption)}; source: ${esc(table.published.source)}. Error = (simulated − published) / published.`
      : '';
  const prov = table.hasProvenance
    ? ' <span class="prov">fitted</span>: a fitted parameter was fitted to this cell; <span class="prov">predicted</span>: it was not.'
    : '';
  return `<div class="scroll"><table class="paper"><caption><b>Table ${n}.</b> ${esc(title)} — ${esc(table.composition)} on <code>${esc(table.profile)}</code>, seed ${table.seed}.${source}${prov}</caption><thead>${head1}${head2}</thead><tbody>${body}</tbody></table></div>`;
}

/**
 * A figure with its numbered caption.
 *
 * @public
 */
export function figureHtml(figure: PaperFigure, n: number): string {
  return `<figure id="${esc(figure.id)}">${figure.svg}<figcaption><b>Figure ${n}.</b> ${esc(figure.caption)}</figcaption></figure>`;
}

/**
 * One run: its table, its figures, and why the platforms differ (from the counts).
 *
 * @public
 */
export function resultHtml(
  result: ExperimentResult,
  numbering: Numbering,
  names: ReportNames = {},
  figures: readonly PaperFigure[] = paperFigures(result),
): string {
  const title = names.titleOf?.(result.experiment) ?? result.experiment;
  const parts = [`<h3 id="${esc(anchor(result))}">${esc(result.experiment)}: ${esc(title)}</h3>`, tableHtml(paperTable(result), ++numbering.table, title)];
  for (const f of figures) parts.push(figureHtml(f, ++numbering.figure));
  const why = explainDifferences(result);
  if (why.length)
    parts.push(`<p><i>Why the platforms differ</i> (from the mechanism counts):</p><ul class="why">${why.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`);
  return parts.join('\n');
}

/**
 * The fidelity summary: per published table, how far the simulation is from it.
 *
 * @public
 */
export function fidelityHtml(lines: readonly FidelityLine[], n: number): string {
  if (lines.length === 0) return '<p>No run in this report has a published table to compare with.</p>';
  const anyProv = lines.some((l) => l.fitted + l.predicted > 0);
  const rows = lines
    .map(
      (l) =>
        `<tr><td class="name">${esc(l.table.id)}</td><td class="name">${esc(l.runs.join('; '))}</td><td>${l.cells}</td><td>${(l.medianError * 100).toFixed(1)}%</td><td>${formatError(l.worst.error)} <span class="unit">(${esc(l.worst.metric)}, ${esc(l.worst.platform)})</span></td>${anyProv ? `<td>${l.fitted} / ${l.predicted}</td><td>${l.medianPredictedError !== undefined ? `${(l.medianPredictedError * 100).toFixed(1)}%` : '—'}</td>` : ''}</tr>`,
    )
    .join('');
  const sources = lines.map((l) => `${esc(l.table.id)}: ${esc(l.table.caption)} — ${esc(l.table.source)}`).join('; ');
  return `<div class="scroll"><table class="paper"><caption><b>Table ${n}.</b> Fidelity: simulated against published figures, per published table. Error = (simulated − published) / published. ${sources}.</caption><thead><tr><th class="name">published table</th><th class="name">compared runs</th><th>cells</th><th>median |error|</th><th>worst error (cell)</th>${anyProv ? '<th>fitted / predicted</th><th>median |error|, predicted</th>' : ''}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

/**
 * The whole report as one self-contained HTML page (styles and SVG figures inline).
 *
 * @public
 */
export function reportPage(
  results: readonly ExperimentResult[],
  names: ReportNames = {},
  figures: (r: ExperimentResult) => readonly PaperFigure[] = paperFigures,
): string {
  const numbering: Numbering = { table: 0, figure: 0 };
  const groups = new Map<string, ExperimentResult[]>();
  for (const r of results) {
    const key = `${r.composition} on ${r.profile}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const seeds = [...new Set(results.map((r) => r.seed))].join(', ');
  const body: string[] = [
    '<h1>visorkit: the experiments, simulated</h1>',
    `<p class="abstract">Every figure below is derived from a machine profile's primitive costs and the mechanism events that happened in the simulation (seed ${esc(seeds)}); none is keyed to a benchmark. Published figures stand beside the simulated ones where a published table covers the run's machine, with the error. The counts behind each row are in <code>results.json</code>.</p>`,
    '<h2 id="fidelity">1. Fidelity</h2>',
    fidelityHtml(fidelitySummary(results), ++numbering.table),
    `<nav><ol start="2">${[...groups.keys()].map((g) => `<li><a href="#${esc(slug(g))}">${esc(g)}</a></li>`).join('')}</ol></nav>`,
  ];
  let section = 1;
  for (const [group, rs] of groups) {
    body.push(`<h2 id="${esc(slug(group))}">${++section}. ${esc(group)}</h2>`);
    for (const r of rs) body.push(resultHtml(r, numbering, names, figures(r)));
  }
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>visorkit report</title><style>body{margin:0;background:#fff}main{max-width:1000px;margin:0 auto;padding:1em 1.5em 3em}${REPORT_CSS}</style></head><body><main class="vk-report">${body.join('\n')}</main></body></html>\n`;
}

/**
 * The anchor of a run's section.
 *
 * @public
 */
export function anchor(result: ExperimentResult): string {
  return slug(`${result.composition}-${result.profile}-${result.experiment}`);
}

function slug(s: string): string {
  return s
    .replace(/[^a-zA-Z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
}
