/**
 * What kind of number a calibration parameter is (VALIDATION.md, "The calibration ledger"):
 * - `primitive`: a machine profile's cost or size, sourced from a datasheet, vendor manual or
 *   a microbenchmark of the processor or device itself;
 * - `path-length`: work counted (or estimated from the structure of) named code — a function
 *   of a named Linux or Xen version — or a documented constant of that code;
 * - `fitted`: a parameter set by `visorkit fit` from the fit set's cells.
 *
 * @public
 */
export type ParameterKind = 'primitive' | 'path-length' | 'fitted';

/**
 * One cell of the fit set (`shared/reference/seed-results.json`): a published figure.
 *
 * @public
 */
export interface FitCell {
  readonly profile: string;
  readonly platform: string;
  readonly metric: string;
}

/**
 * One entry of the calibration ledger. Field names are public interface (`visorkit calibration --json`).
 *
 * @public
 */
export interface CalibrationParameter {
  /** Unique within its package (profile primitives are `<profile>.<path>`, e.g. `xeon-2003.costs.pteWrite`). */
  readonly name: string;
  /** The npm package whose code reads it, e.g. `@visorkit/xen-pv`. */
  readonly package: string;
  readonly value: number;
  /** `cycles`, `instructions`, `KiB`, `ns`, `pages`… */
  readonly unit: string;
  readonly kind: ParameterKind;
  /** Where the number comes from: the datasheet, the code and how it was counted, or the fitter. */
  readonly source: string;
  /** For fitted parameters, the fit-set cells it was fitted to; empty otherwise. */
  readonly fittedTo: readonly FitCell[];
}
