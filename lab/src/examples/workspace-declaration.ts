import { VisorkitError } from '@visorkit/core';
import type { ExampleDefinition, Experiment, PlatformSpec } from '@visorkit/workloads';

/**
 * The `visorkit` field of a workspace's package.json: the names of the exports of its entry
 * point that lab adds to its registries. A workspace that declares it is picked up by `list`,
 * `run` and `npm start` without an entry in any list.
 *
 * @example
 * ```json
 * { "name": "@visorkit/example-xen-2003", "visorkit": { "examples": ["xen2003"] } }
 * ```
 *
 * @public
 */
export interface WorkspaceDeclaration {
  /** Exports that are {@link ExampleDefinition}s, runnable as `<example>:<experiment>`. */
  readonly examples?: readonly string[];
  /** Exports that are {@link PlatformSpec}s (built with `definePlatform`), for `--platforms`. */
  readonly platforms?: readonly string[];
  /** Exports that are {@link Experiment}s, runnable as `run <experiment>`. */
  readonly experiments?: readonly string[];
}

/**
 * What one workspace adds to the registries.
 *
 * @public
 */
export interface WorkspaceContribution {
  /** The examples it declares, in declaration order. */
  readonly examples: readonly ExampleDefinition[];
  /** The platforms it declares. */
  readonly platforms: readonly PlatformSpec[];
  /** The experiments it declares. */
  readonly experiments: readonly Experiment[];
}

/**
 * A workspace's `visorkit` field is malformed or names an export its entry point lacks (or
 * one of the wrong kind). Names the package and the export.
 *
 * @public
 */
export class WorkspaceDeclarationError extends VisorkitError {
  constructor(
    /** The package whose declaration is wrong. */
    readonly packageName: string,
    detail: string,
  ) {
    super('WORKSPACE_DECLARATION', `${packageName}: ${detail}`);
  }
}

const KINDS = ['examples', 'platforms', 'experiments'] as const;

/** A plain object (not null, not an array). */
function isRecord(x: unknown): x is Readonly<Record<string, unknown>> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isExample(x: unknown): x is ExampleDefinition {
  return isRecord(x) && typeof x.name === 'string' && x.profile !== undefined && Array.isArray(x.platforms) && Array.isArray(x.experiments);
}

function isPlatform(x: unknown): x is PlatformSpec {
  return isRecord(x) && typeof x.name === 'string' && typeof x.compose === 'function';
}

function isExperiment(x: unknown): x is Experiment {
  return isRecord(x) && typeof x.id === 'string' && typeof x.run === 'function';
}

/**
 * Whether a package.json declares a `visorkit` field (and so contributes to the registries).
 *
 * @public
 */
export function declaresVisorkit(manifest: { readonly visorkit?: unknown }): boolean {
  return manifest.visorkit !== undefined;
}

/**
 * The platforms, examples and experiments a workspace contributes: the exports of its entry
 * point (`exports`) that its package.json's `visorkit` field (`field`) names. Browser-safe,
 * so the playground reads the same declarations the CLI does.
 *
 * @throws WorkspaceDeclarationError when the field is not an object of export-name arrays, or
 *   names an export that is missing or not of its kind.
 * @public
 */
export function contributionOf(packageName: string, field: unknown, exports: Readonly<Record<string, unknown>>): WorkspaceContribution {
  if (!isRecord(field))
    throw new WorkspaceDeclarationError(packageName, `the "visorkit" field must be an object like { "examples": ["myExample"] }, got ${JSON.stringify(field)}`);
  const unknownKeys = Object.keys(field).filter((k) => !(KINDS as readonly string[]).includes(k));
  if (unknownKeys.length > 0)
    throw new WorkspaceDeclarationError(packageName, `the "visorkit" field has unknown key(s) ${unknownKeys.join(', ')} (known: ${KINDS.join(', ')})`);
  const pick = <T>(kind: (typeof KINDS)[number], is: (x: unknown) => x is T, what: string): T[] => {
    const names: unknown = field[kind];
    if (names === undefined) return [];
    if (!Array.isArray(names) || !names.every((n): n is string => typeof n === 'string'))
      throw new WorkspaceDeclarationError(packageName, `"visorkit.${kind}" must list export names, got ${JSON.stringify(names)}`);
    return names.map((name) => {
      const value = exports[name];
      if (value === undefined) throw new WorkspaceDeclarationError(packageName, `"visorkit.${kind}" names '${name}', which its entry point does not export`);
      if (!is(value)) throw new WorkspaceDeclarationError(packageName, `export '${name}' (listed in "visorkit.${kind}") is not ${what}`);
      return value;
    });
  };
  const out: WorkspaceContribution = {
    examples: pick('examples', isExample, 'an ExampleDefinition (name, profile, platforms, experiments)'),
    platforms: pick('platforms', isPlatform, 'a PlatformSpec (name, compose(); build it with definePlatform)'),
    experiments: pick('experiments', isExperiment, 'an Experiment (id, run())'),
  };
  if (out.examples.length + out.platforms.length + out.experiments.length === 0)
    throw new WorkspaceDeclarationError(packageName, `the "visorkit" field names no export (give examples, platforms or experiments)`);
  return out;
}
