import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExperimentResult } from '@visorkit/workloads';
import { csvReport, experimentTitle } from './text-report.js';
import { fidelityMarkdown, paperFigures, reportPage, resultMarkdown, type PaperFigure, type ReportNames } from './view/index.js';

/**
 * Writes the report in the paper's form: `index.html` (one self-contained page: the fidelity
 * summary, per run one table with published figures beside and the paper's figures as inline
 * SVG), `report.md` (the same, figures linked from `charts/`), `results.json`, `results.csv`.
 * Returns the files written, relative to `dir`.
 *
 * @public
 */
export async function writeReport(dir: string, results: readonly ExperimentResult[], names: ReportNames = { titleOf: experimentTitle }): Promise<string[]> {
  await mkdir(join(dir, 'charts'), { recursive: true });
  const written: string[] = [];
  const figures = new Map<ExperimentResult, PaperFigure[]>(results.map((r) => [r, paperFigures(r)]));
  const sections = [
    '# visorkit: the experiments, simulated',
    '',
    'Every figure is derived from a machine profile and the mechanism events of the run; the counts behind each row are in `results.json`. `index.html` has the same tables and figures in one page.',
    '',
    '## Fidelity',
    '',
    fidelityMarkdown(results),
  ];
  let group = '';
  for (const result of results) {
    const g = `${result.composition} on ${result.profile}`;
    if (g !== group) sections.push(`## ${g}`, '');
    group = g;
    const files: { figure: PaperFigure; file: string }[] = [];
    for (const figure of figures.get(result)!) {
      const file = `charts/${figure.id}.svg`;
      await writeFile(join(dir, file), figure.svg);
      files.push({ figure, file });
      written.push(file);
    }
    sections.push(resultMarkdown(result, files, names.titleOf?.(result.experiment) ?? result.experiment));
  }
  await writeFile(
    join(dir, 'index.html'),
    reportPage(results, names, (r) => figures.get(r) ?? paperFigures(r)),
  );
  await writeFile(join(dir, 'report.md'), sections.join('\n'));
  await writeFile(join(dir, 'results.json'), JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + '\n');
  await writeFile(join(dir, 'results.csv'), csvReport(results));
  written.push('index.html', 'report.md', 'results.json', 'results.csv');
  return written;
}
