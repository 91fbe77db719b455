import { InvalidArgumentError } from '../errors/visorkit-error.js';
import type { MachineProfile } from '../machine/machine-profile.js';
import type { CalibrationParameter } from './calibration-parameter.js';

/**
 * One primitive of one profile, as a plugin declares it: the value and where it comes from.
 *
 * @public
 */
export interface PrimitiveDefinition {
  readonly value: number;
  readonly source: string;
}

/** Units of every plugin primitive declared so far, by `<key>.<name>` (for the ledger of profiles that carry their own). */
const UNITS = new Map<string, string>();

/**
 * The unit of a plugin primitive a profile carries under `extensions.<key>.<name>`, if a
 * loaded plugin declared it.
 *
 * @internal
 */
export function pluginPrimitiveUnit(key: string, name: string): string | undefined {
  return UNITS.get(`${key}.${name}`);
}

/**
 * A plugin's own hardware-level costs per machine profile — what its design charges that
 * plain hardware has no name for (a hypervisor's validation of one page-table entry, say).
 * Core's profiles name hardware only; the plugin keeps these beside them, each sourced like a
 * profile's primitive, and the calibration ledger lists them under the plugin's package.
 *
 * A profile the plugin does not know may carry its own values under
 * `profile.extensions[key]` (with their sources in the profile's sources, at
 * `extensions.<key>.<name>`), so an outside profile needs no change to the plugin.
 *
 * @example
 * ```ts
 * export const MY_PRIMITIVES = new PluginPrimitives('@me/plugin', 'me', { checkEntry: 'cycles' }, {
 *   'xeon-2003': { checkEntry: { value: 120, source: 'two locked ops on NetBurst [Agner]' } },
 * });
 * const cycles = MY_PRIMITIVES.of(machine.profile).checkEntry;
 * ```
 *
 * @public
 */
export class PluginPrimitives<K extends string> {
  readonly #rows: Readonly<Record<string, Readonly<Record<K, PrimitiveDefinition>>>>;
  readonly #values = new Map<string, Readonly<Record<K, number>>>();
  readonly #names: readonly K[];

  constructor(
    /** The npm package whose code reads them, e.g. `@visorkit/xen-pv`. */
    readonly packageName: string,
    /** The key a profile carries its own values under (`profile.extensions[key]`): the plugin's name. */
    readonly key: string,
    /** The unit of each primitive. */
    readonly units: Readonly<Record<K, string>>,
    /** Per bundled profile (by name), each primitive's value and source. */
    rows: Readonly<Record<string, Readonly<Record<K, PrimitiveDefinition>>>>,
  ) {
    // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- the keys of a Record<K, string> are K
    this.#names = Object.keys(units) as K[];
    for (const [profile, row] of Object.entries(rows)) {
      for (const name of this.#names) {
        const d = row[name];
        if (d === undefined || !Number.isFinite(d.value) || d.value < 0)
          throw new InvalidArgumentError(`primitive ${packageName} ${profile}.${name}`, `expected a finite non-negative value, got ${d?.value}`);
        if (d.source.trim() === '') throw new InvalidArgumentError(`primitive ${packageName} ${profile}.${name}`, 'it has no source');
      }
    }
    for (const [name, unit] of Object.entries<string>(units)) UNITS.set(`${key}.${name}`, unit);
    this.#rows = rows;
  }

  /**
   * The primitives for `profile`: its own under `extensions[key]` when it carries them, else
   * this plugin's row for its name. Throws InvalidArgumentError naming what to add otherwise.
   * Read once at set-up (a constructor), not on a hot path.
   */
  of(profile: MachineProfile): Readonly<Record<K, number>> {
    const own = profile.extensions?.[this.key];
    const cached = own === undefined ? this.#values.get(profile.name) : undefined;
    if (cached !== undefined) return cached;
    const names = this.#names;
    const values = new Map<K, number>();
    const row = this.#rows[profile.name];
    for (const name of names) {
      const v = own !== undefined ? own[name] : row?.[name].value;
      if (v === undefined || !Number.isFinite(v) || v < 0)
        throw new InvalidArgumentError(
          'machine profile',
          `'${profile.name}' has no ${this.key} primitive '${name}' (${this.units[name]}): give the profile extensions['${this.key}'] = { ${names.join(', ')} }, or use a profile ${this.packageName} knows (${Object.keys(this.#rows).join(', ')})`,
        );
      values.set(name, v);
    }
    // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- every K was set just above
    const frozen = Object.freeze(Object.fromEntries(values) as Record<K, number>);
    if (own === undefined) this.#values.set(profile.name, frozen);
    return frozen;
  }

  /** The ledger's entries: `<profile>.<name>`, kind `primitive`, for every profile row. */
  parameters(): CalibrationParameter[] {
    return Object.entries(this.#rows).flatMap(([profile, row]) =>
      this.#names.map((name) => ({
        name: `${profile}.${name}`,
        package: this.packageName,
        value: row[name].value,
        unit: this.units[name],
        kind: 'primitive' as const,
        source: row[name].source,
        fittedTo: [],
      })),
    );
  }
}
