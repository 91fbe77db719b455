import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FitCell } from '@visorkit/core';
import { renderCalibrationFile } from './calibration-file.js';
import { measureLinearModel, fittedSlots } from './fit-runs.js';
import { FITTED_SETS } from './ledger.js';
import { cellsShapedBy, fitParameters, leaveOneOut, predict, type LinearModel, type ValidationDocument } from './linear-model.js';

/** lab/dist/src/fidelity/<file>.js → the repository root. */
const REPOSITORY_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** What one fit produced. */
export interface FitOutcome {
  readonly model: LinearModel;
  readonly values: readonly number[];
  readonly fittedTo: readonly (readonly FitCell[])[];
  /** Each cell's figure predicted with every cell in the fit. */
  readonly predicted: readonly number[];
}

/** Measures the model and fits every parameter to the whole fit set (nothing is written). */
export function fitAll(seed = 1, progress?: (done: number, total: number) => void): FitOutcome {
  const model = measureLinearModel(seed, progress);
  const values = fitParameters(model);
  const fittedTo = model.parameters.map((_, j) => cellsShapedBy(model, values, j));
  return { model, values, fittedTo, predicted: model.cells.map((_, i) => predict(model, values, i)) };
}

/** Applies a fit to the running parameter sets and writes each package's `calibration.ts`. */
export async function writeFit(outcome: FitOutcome, root = REPOSITORY_ROOT): Promise<string[]> {
  const slots = fittedSlots();
  const written: string[] = [];
  for (const location of FITTED_SETS) {
    const values: Record<string, number> = {};
    const cells: Record<string, readonly FitCell[]> = {};
    slots.forEach((slot, j) => {
      if (slot.set !== location.set) return;
      // Counts (pages) stay whole; costs keep a sensible precision.
      const unit = location.set.definition(slot.name).unit;
      const v = unit === 'pages' ? Math.round(outcome.values[j]!) : Number(outcome.values[j]!.toPrecision(4));
      values[slot.name] = v;
      cells[slot.name] = outcome.fittedTo[j]!;
      location.set.set(slot.name, v, outcome.fittedTo[j]!);
    });
    const file = join(root, location.file);
    await writeFile(file, renderCalibrationFile(location, values, cells));
    written.push(location.file);
  }
  return written;
}

/** The text `visorkit fit` prints: each parameter's value and cells, each cell's fit. */
export function fitReport(outcome: FitOutcome, written: readonly string[]): string {
  const lines = ['Fitted parameters (non-negative least squares on relative error, fit set: seed micro table):'];
  outcome.model.parameters.forEach((p, j) => {
    lines.push(`  ${p.package.padEnd(18)} ${p.name.padEnd(16)} ${outcome.values[j]!.toFixed(1).padStart(10)}  fitted to ${outcome.fittedTo[j]!.length} cells`);
  });
  lines.push('Cells (published vs model after the fit):');
  outcome.model.cells.forEach((c, i) => {
    const pub = outcome.model.published[i]!;
    const pred = outcome.predicted[i]!;
    lines.push(
      `  ${`${c.platform}/${c.metric}`.padEnd(24)} ${pub.toFixed(2).padStart(9)} ${pred.toFixed(2).padStart(9)}  ${(((pred - pub) / pub) * 100).toFixed(1).padStart(6)}%`,
    );
  });
  if (written.length > 0) lines.push(`Wrote ${written.join(', ')} (rebuild with npx tsc -b).`);
  return lines.join('\n');
}

/** `visorkit validate`: leave-one-out over the fit set on a freshly measured model. */
export function validate(seed = 1, progress?: (done: number, total: number) => void): ValidationDocument {
  return leaveOneOut(measureLinearModel(seed, progress));
}

/** The text `visorkit validate` prints. */
export function validationReport(doc: ValidationDocument): string {
  const lines = ['Leave-one-out over the fit set (each cell predicted by a fit without it):'];
  for (const r of doc.rows)
    lines.push(
      `  ${`${r.profile}/${r.platform}/${r.metric}`.padEnd(36)} published ${r.published.toFixed(2).padStart(9)}  predicted ${r.predicted.toFixed(2).padStart(9)}  error ${(r.error * 100).toFixed(1).padStart(5)}%`,
    );
  lines.push(`median error ${(doc.medianError * 100).toFixed(1)}%, worst ${(doc.worstError * 100).toFixed(1)}%`);
  return lines.join('\n');
}
