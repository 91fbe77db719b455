import type { RunPlan } from '../cli/resolve.js';
import { exampleRegistry } from '../examples/example-registry.js';
import { bundledRegistries } from '../cli/outside-plugins.js';
import { resolveProfile } from '../cli/resolve.js';

/** A plan as plain data, so it can cross into a worker thread. */
export interface PlanKey {
  readonly experiment: string;
  readonly composition: string;
  readonly example: string | undefined;
  readonly profile: string;
  readonly platforms: readonly string[];
}

/** The plain-data form of a plan. */
export function toKey(plan: RunPlan): PlanKey {
  const example = exampleRegistry.find((e) => e.name === plan.composition && e.experiments.includes(plan.experiment));
  return {
    experiment: plan.experiment.id,
    composition: plan.composition,
    example: example?.name,
    profile: plan.profile.name,
    platforms: plan.platforms.map((p) => p.name),
  };
}

/** Rebuilds a plan from its key (inside a worker). */
export function fromKey(key: PlanKey): RunPlan {
  if (key.example !== undefined) {
    const example = exampleRegistry.find((e) => e.name === key.example)!;
    return {
      experiment: example.experiments.find((x) => x.id === key.experiment)!,
      composition: key.composition,
      profile: example.profile,
      platforms: example.platforms,
    };
  }
  return {
    experiment: bundledRegistries.experiments.find((e) => e.id === key.experiment)!,
    composition: key.composition,
    profile: resolveProfile(key.profile),
    platforms: key.platforms.map((n) => bundledRegistries.platforms.find((p) => p.name === n)!),
  };
}
