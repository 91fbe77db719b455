import { createHash } from 'node:crypto';
import type { MachineProfile } from '@visorkit/core';
import { definePlatform, type DomainInput, type ExperimentResult, type PlatformSpec } from '@visorkit/workloads';
import { experimentRegistry } from '../experiments/experiment-registry.js';
import { platformDefinitions } from '../platforms/platform-registry.js';
import { runExperiment } from '../runner/run-experiment.js';

/** A value a sweep axis takes. */
export type SweepValue = string | number | boolean;

/** A platform of a sweep point: its registry name and the plugin options changed from its definition's. */
export interface SweepPlatform {
  readonly name: string;
  /** Plugin name → options to `configure` it with. */
  readonly options: Readonly<Record<string, Readonly<Record<string, SweepValue>>>>;
}

/**
 * One run of a sweep, as plain data: everything that determines its result, so it can be
 * stored, keyed, put on a queue and run on another machine with the same outcome.
 */
export interface SweepPoint {
  readonly experiment: string;
  readonly profile: MachineProfile;
  readonly platforms: readonly SweepPlatform[];
  readonly domains: readonly DomainInput[];
  readonly everyDomain?: DomainInput;
  /** How many domains to run where the experiment sweeps a count (`--vary domains=…`). */
  readonly domainCount?: number;
  readonly seed: number;
  /** The axis values this point takes (`--vary` keys), for grouping and for the rows. */
  readonly assignment: Readonly<Record<string, SweepValue>>;
}

/** JSON with object keys sorted, so equal data gives equal text (and equal keys). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The point's identity: a hash of everything that determines its result. */
export function pointKey(point: SweepPoint): string {
  return createHash('sha256').update(canonicalJson(point)).digest('hex').slice(0, 32);
}

/** Builds a point's platforms from the registry's definitions with its plugin options applied. */
export function pointPlatforms(platforms: readonly SweepPlatform[]): PlatformSpec[] {
  return platforms.map((p) => {
    const def = platformDefinitions.find((d) => d.name === p.name);
    if (def === undefined) throw new Error(`unknown platform '${p.name}'`);
    return definePlatform({
      ...def,
      plugins: def.plugins.map((plugin) => (p.options[plugin.name] !== undefined ? plugin.configure(p.options[plugin.name]!) : plugin)),
    });
  });
}

/**
 * Runs one point and returns its result document as JSON would carry it (so a result read
 * back from a file or a queue is the very same data as one computed here).
 */
export function runSweepPoint(point: SweepPoint): ExperimentResult {
  const experiment = experimentRegistry.find((e) => e.id === point.experiment);
  if (experiment === undefined) throw new Error(`unknown experiment '${point.experiment}'`);
  const platforms = pointPlatforms(point.platforms);
  const result = runExperiment(
    { experiment, composition: platforms.map((p) => p.name).join(','), profile: point.profile, platforms },
    {
      seed: point.seed,
      ...(point.domains.length > 0 ? { domains: point.domains } : {}),
      ...(point.everyDomain !== undefined ? { everyDomain: point.everyDomain } : {}),
      ...(point.domainCount !== undefined ? { domainCount: point.domainCount } : {}),
    },
  );
  return JSON.parse(JSON.stringify(result)) as ExperimentResult;
}
