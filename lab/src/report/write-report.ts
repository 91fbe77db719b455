import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExperimentResult, ResultRow } from '@visorkit/workloads';
import { renderMetricChart, renderOverviewChart } from './charts.js';
import { csvReport, markdownReport } from './text-report.js';

/**
 * Writes `report.md` (tables with published figures beside simulated ones, a chart per
 * metric, why the platforms differ), `results.json`, `results.csv` and `charts/*.svg`.
 */
export async function writeReport(dir: string, results: readonly ExperimentResult[]): Promise<string[]> {
  await mkdir(join(dir, 'charts'), { recursive: true });
  const written: string[] = [];
  const sections: string[] = ['# visorkit report', '', 'Every figure below is derived from a machine profile and the mechanism events of the run; the counts that explain each row are in `results.json`.', ''];
  for (const result of results) {
    const charts = new Map<string, string>();
    const overview = await renderOverviewChart(result.experiment, result.results);
    if (overview !== undefined) {
      const file = `charts/${slug(result.composition)}-${slug(result.profile)}-${slug(result.experiment)}.svg`;
      await writeFile(join(dir, file), overview);
      charts.set('', file);
      written.push(file);
    }
    const byMetric = new Map<string, ResultRow[]>();
    for (const r of result.results) byMetric.set(r.metric, [...(byMetric.get(r.metric) ?? []), r]);
    for (const [metric, rows] of byMetric) {
      const file = `charts/${slug(result.composition)}-${slug(result.profile)}-${slug(result.experiment)}-${slug(metric)}.svg`;
      await writeFile(join(dir, file), await renderMetricChart(metric, rows[0]!.unit, rows));
      charts.set(metric, file);
      written.push(file);
    }
    sections.push(markdownReport(result, charts));
  }
  await writeFile(join(dir, 'report.md'), sections.join('\n'));
  await writeFile(join(dir, 'results.json'), JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + '\n');
  await writeFile(join(dir, 'results.csv'), csvReport(results));
  written.push('report.md', 'results.json', 'results.csv');
  return written;
}

function slug(s: string): string {
  return s.replace(/[^a-zA-Z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();
}
