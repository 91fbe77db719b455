import { InvalidArgumentError } from '../errors/visorkit-error.js';
import type { CalibrationParameter, FitCell, ParameterKind } from './calibration-parameter.js';

/**
 * How a package declares one non-fitted parameter.
 *
 * @public
 */
export interface ParameterDefinition {
  readonly value: number;
  readonly unit: string;
  readonly source: string;
}

/**
 * How a package's `calibration.ts` declares one fitted parameter.
 *
 * @public
 */
export interface FittedDefinition extends ParameterDefinition {
  readonly fittedTo: readonly FitCell[];
}

/**
 * A package's named parameters of one kind, read by its code through {@link ParameterSet.value}
 * and listed in the calibration ledger through {@link ParameterSet.parameters}. Declaring
 * costs here rather than as loose constants is what lets a test prove that every cost a
 * plugin, the guest or a profile uses is in the ledger.
 *
 * Fitted sets can be changed at run time ({@link ParameterSet.set}) so that `visorkit fit`
 * can measure how each parameter moves the figures; everything else is fixed.
 *
 * @public
 */
export class ParameterSet<K extends string = string> {
  /** The values, by name: what code reads (a plain object, cheap on the hot path). */
  readonly value: Readonly<Record<K, number>>;
  readonly #values: Record<K, number>;
  readonly #defs: Readonly<Record<K, ParameterDefinition | FittedDefinition>>;
  readonly #fittedTo = new Map<K, readonly FitCell[]>();

  constructor(
    /** The npm package name, e.g. `@visorkit/guest`. */
    readonly packageName: string,
    readonly kind: ParameterKind,
    defs: Readonly<Record<K, ParameterDefinition | FittedDefinition>>,
  ) {
    this.#defs = defs;
    const values = {} as Record<K, number>;
    for (const name of Object.keys(defs) as K[]) {
      const d = defs[name];
      if (!Number.isFinite(d.value) || d.value < 0)
        throw new InvalidArgumentError(`parameter ${packageName} ${name}`, `value ${d.value} is not a finite non-negative number`);
      if (d.source.trim() === '') throw new InvalidArgumentError(`parameter ${packageName} ${name}`, 'it has no source');
      values[name] = d.value;
      if (kind === 'fitted') this.#fittedTo.set(name, (d as FittedDefinition).fittedTo ?? []);
    }
    this.#values = values;
    this.value = values;
  }

  /** The parameter names. */
  names(): K[] {
    return Object.keys(this.#defs) as K[];
  }

  /** The definition of `name` as declared (its value as declared, not as overridden). */
  definition(name: K): ParameterDefinition | FittedDefinition {
    return this.#defs[name];
  }

  /** The ledger entries of this set, with current values. */
  parameters(): CalibrationParameter[] {
    return this.names().map((name) => {
      const d = this.#defs[name];
      return {
        name,
        package: this.packageName,
        value: this.#values[name],
        unit: d.unit,
        kind: this.kind,
        source: d.source,
        fittedTo: this.#fittedTo.get(name) ?? [],
      };
    });
  }

  /**
   * Sets a fitted parameter for the runs that follow (the fitter's probes, or applying a fit
   * before writing `calibration.ts`). Refused for primitives and path lengths, which are facts.
   */
  set(name: K, value: number, fittedTo?: readonly FitCell[]): void {
    if (this.kind !== 'fitted')
      throw new InvalidArgumentError(`parameter ${this.packageName} ${name}`, `only fitted parameters can be set; this one is a ${this.kind}`);
    if (!(name in this.#defs)) throw new InvalidArgumentError(`parameter ${this.packageName} ${name}`, `no such parameter (known: ${this.names().join(', ')})`);
    if (!Number.isFinite(value) || value < 0)
      throw new InvalidArgumentError(`parameter ${this.packageName} ${name}`, `value ${value} is not a finite non-negative number`);
    this.#values[name] = value;
    if (fittedTo !== undefined) this.#fittedTo.set(name, fittedTo);
  }

  /** Restores every value as declared. */
  reset(): void {
    for (const name of this.names()) {
      this.#values[name] = this.#defs[name].value;
      if (this.kind === 'fitted') this.#fittedTo.set(name, (this.#defs[name] as FittedDefinition).fittedTo ?? []);
    }
  }
}

/**
 * Declares a package's path lengths: work counted from named code (or its documented constants).
 *
 * @public
 */
export function pathLengths<K extends string>(packageName: string, defs: Readonly<Record<K, ParameterDefinition>>): ParameterSet<K> {
  return new ParameterSet(packageName, 'path-length', defs);
}

/**
 * Declares a package's fitted parameters: only in that package's `calibration.ts`, written by `visorkit fit`.
 *
 * @public
 */
export function fittedParameters<K extends string>(packageName: string, defs: Readonly<Record<K, FittedDefinition>>): ParameterSet<K> {
  return new ParameterSet(packageName, 'fitted', defs);
}
