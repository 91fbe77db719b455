import { bundledProfiles, type MachineProfile } from '@visorkit/core';
import type { Experiment, PlatformSpec } from '@visorkit/workloads';
import { bundledRegistries, type Registries } from './outside-plugins.js';
import { UsageError } from './usage-error.js';
import { isProfileFile, readProfileFile } from '../inputs/profile-file.js';

/**
 * What a `run` target resolves to.
 *
 * @public
 */
export interface RunPlan {
  readonly experiment: Experiment;
  readonly composition: string;
  readonly profile: MachineProfile;
  readonly platforms: readonly PlatformSpec[];
}

function known(names: readonly string[]): string {
  return names.length ? names.join(', ') : '(none yet)';
}

/**
 * The profile named `name` or read from the file `name` (JSON/YAML), or a usage error listing the known ones.
 *
 * @public
 */
export function resolveProfile(name: string): MachineProfile {
  if (isProfileFile(name)) return readProfileFile(name);
  const p = bundledProfiles.find((x) => x.name === name);
  if (p === undefined) throw new UsageError(`unknown profile '${name}' (known: ${known(bundledProfiles.map((x) => x.name))})`);
  return p;
}

/**
 * The platforms of a comma list, or a usage error naming the unknown one.
 *
 * @public
 */
export function resolvePlatforms(list: string, registries: Registries = bundledRegistries): PlatformSpec[] {
  const platformRegistry = registries.platforms;
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new UsageError('--platforms needs at least one platform name');
  return names.map((n) => {
    const p = platformRegistry.find((x) => x.name === n);
    if (p === undefined) throw new UsageError(`unknown platform '${n}' (known: ${known(platformRegistry.map((x) => x.name))})`);
    return p;
  });
}

/**
 * Resolves `<experiment>` (ad hoc, with profile and platforms) or `<example>:<experiment>`,
 * among the bundled registries or those `--plugin` modules extended ({@link loadRegistries}).
 *
 * @public
 */
export function resolveRun(target: string, profile: string | undefined, platforms: string | undefined, registries: Registries = bundledRegistries): RunPlan {
  const { examples: exampleRegistry, experiments: experimentRegistry, platforms: platformRegistry } = registries;
  const colon = target.indexOf(':');
  if (colon >= 0) {
    const exampleName = target.slice(0, colon);
    const experimentId = target.slice(colon + 1);
    const example = exampleRegistry.find((e) => e.name === exampleName);
    if (example === undefined) throw new UsageError(`unknown example '${exampleName}' (known: ${known(exampleRegistry.map((e) => e.name))})`);
    const experiment = example.experiments.find((e) => e.id === experimentId);
    if (experiment === undefined)
      throw new UsageError(`example '${exampleName}' has no experiment '${experimentId}' (it has: ${known(example.experiments.map((e) => e.id))})`);
    if (profile !== undefined || platforms !== undefined) throw new UsageError(`'${target}' fixes its own profile and platforms: drop --profile/--platforms`);
    return { experiment, composition: example.name, profile: example.profile, platforms: example.platforms };
  }
  const experiment = experimentRegistry.find((e) => e.id === target);
  if (experiment === undefined)
    throw new UsageError(
      `unknown experiment '${target}' (known: ${known(experimentRegistry.map((e) => e.id))}; examples: ${known(exampleRegistry.map((e) => e.name))})`,
    );
  if (profile === undefined) throw new UsageError(`'run ${target}' needs --profile (one of: ${known(bundledProfiles.map((p) => p.name))})`);
  if (platforms === undefined) throw new UsageError(`'run ${target}' needs --platforms (from: ${known(platformRegistry.map((p) => p.name))})`);
  const plats = resolvePlatforms(platforms, registries);
  const machine = resolveProfile(profile);
  for (const p of plats) {
    const why = p.unsupportedOn?.(machine);
    if (why !== undefined) throw new UsageError(`platform '${p.name}' cannot run on profile '${machine.name}': ${why}`);
  }
  return { experiment, composition: plats.map((p) => p.name).join(','), profile: machine, platforms: plats };
}
