import type { FitCell } from '@visorkit/core';
import { nnls } from './nnls.js';

/** A fitted parameter as the fitter addresses it. */
export interface FitParameterRef {
  readonly package: string;
  readonly name: string;
}

/**
 * The fit set's figures as a linear function of the fitted parameters, measured from the
 * simulation: figure_i(p) = base_i + Σ_j jacobian_ij p_j. Every figure is (mechanism counts)
 * × (per-event costs), so the Jacobian is the counts of one run, each scaled by how much of
 * the figure one unit of the parameter costs.
 */
export interface LinearModel {
  readonly cells: readonly FitCell[];
  readonly published: readonly number[];
  readonly parameters: readonly FitParameterRef[];
  /** What the figures would be with every fitted parameter at 0. */
  readonly base: readonly number[];
  /** cells × parameters: d figure / d parameter. */
  readonly jacobian: readonly (readonly number[])[];
}

/** The model's figure for cell `i` with parameter values `p`. */
export function predict(model: LinearModel, p: readonly number[], i: number): number {
  return model.base[i]! + model.jacobian[i]!.reduce((s, d, j) => s + d * p[j]!, 0);
}

/**
 * Non-negative least squares on relative errors ((predicted − published) / published), over
 * every cell but `exclude`: cells of 1 µs and of 5 ms weigh alike.
 */
export function fitParameters(model: LinearModel, exclude?: number): number[] {
  const rows: number[][] = [];
  const targets: number[] = [];
  model.cells.forEach((_, i) => {
    if (i === exclude) return;
    const y = model.published[i]!;
    rows.push(model.jacobian[i]!.map((d) => d / y));
    targets.push((y - model.base[i]!) / y);
  });
  return nnls(rows, targets);
}

/** A cell a parameter shapes: it is responsible for at least `share` of the cell's figure. */
export function cellsShapedBy(model: LinearModel, p: readonly number[], j: number, share = 0.01): FitCell[] {
  return model.cells.filter((_, i) => {
    const total = predict(model, p, i);
    return total > 0 && (model.jacobian[i]![j]! * p[j]!) / total >= share;
  });
}

/** One row of `visorkit validate`. Field names are public interface. */
export interface ValidationRow {
  readonly profile: string;
  readonly platform: string;
  readonly metric: string;
  readonly published: number;
  readonly predicted: number;
  /** |predicted − published| / published. */
  readonly error: number;
}

/** The document `visorkit validate --json` prints. Field names are public interface. */
export interface ValidationDocument {
  readonly method: 'leave-one-out';
  readonly rows: readonly ValidationRow[];
  readonly medianError: number;
  readonly worstError: number;
}

/** Leave-one-out: refit without each cell and predict it. */
export function leaveOneOut(model: LinearModel): ValidationDocument {
  const rows = model.cells.map((cell, i) => {
    const predicted = predict(model, fitParameters(model, i), i);
    const published = model.published[i]!;
    return { profile: cell.profile, platform: cell.platform, metric: cell.metric, published, predicted, error: Math.abs(predicted - published) / published };
  });
  const errors = rows.map((r) => r.error).sort((a, b) => a - b);
  const mid = errors.length >> 1;
  const medianError = errors.length === 0 ? 0 : errors.length % 2 === 1 ? errors[mid]! : (errors[mid - 1]! + errors[mid]!) / 2;
  return { method: 'leave-one-out', rows, medianError, worstError: errors.at(-1) ?? 0 };
}
