import { bundledProfiles, type MachineProfile } from '@visorkit/core';
import { experimentRegistry, platformRegistry } from '@visorkit/lab/browser';
import { exampleRegistry } from './bundled-examples.js';
import type { Experiment, PlatformSpec } from '@visorkit/workloads';
import type { RunRequest } from './protocol.js';

/** A request resolved against the registries the CLI uses. */
export interface ResolvedRun {
  readonly experiment: Experiment;
  readonly composition: string;
  readonly profile: MachineProfile;
  readonly platforms: readonly PlatformSpec[];
}

/** A request naming something unknown, or a platform its profile cannot run. */
export class PlaygroundRequestError extends Error {
  readonly code = 'PLAYGROUND_REQUEST';
  constructor(message: string) {
    super(message);
    this.name = 'PlaygroundRequestError';
  }
}

/** Resolves `<experiment>` with profile and platforms, or `<example>:<experiment>`, as `visorkit run` does. */
export function resolveRequest(req: RunRequest): ResolvedRun {
  const colon = req.target.indexOf(':');
  if (colon >= 0) {
    const example = exampleRegistry.find((e) => e.name === req.target.slice(0, colon));
    const experiment = example?.experiments.find((x) => x.id === req.target.slice(colon + 1));
    if (example === undefined || experiment === undefined) throw new PlaygroundRequestError(`unknown example experiment '${req.target}'`);
    return { experiment, composition: example.name, profile: example.profile, platforms: example.platforms };
  }
  const experiment = experimentRegistry.find((e) => e.id === req.target);
  if (experiment === undefined)
    throw new PlaygroundRequestError(`unknown experiment '${req.target}' (known: ${experimentRegistry.map((e) => e.id).join(', ')})`);
  const profile = bundledProfiles.find((p) => p.name === req.profile);
  if (profile === undefined) throw new PlaygroundRequestError(`unknown profile '${req.profile}'`);
  if (req.platforms.length === 0) throw new PlaygroundRequestError('pick at least one platform');
  const platforms = req.platforms.map((name) => {
    const p = platformRegistry.find((x) => x.name === name);
    if (p === undefined) throw new PlaygroundRequestError(`unknown platform '${name}'`);
    const why = p.unsupportedOn?.(profile);
    if (why !== undefined) throw new PlaygroundRequestError(`platform '${name}' cannot run on '${profile.name}': ${why}`);
    return p;
  });
  return { experiment, composition: platforms.map((p) => p.name).join(','), profile, platforms };
}
