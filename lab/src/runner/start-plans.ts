import { bundledProfiles } from '@visorkit/core';
import type { RunPlan } from '../cli/resolve.js';
import { exampleRegistry } from '../examples/example-registry.js';
import { experimentRegistry } from '../experiments/experiment-registry.js';
import { platformRegistry } from '../platforms/platform-registry.js';

/**
 * What `npm start` runs: every experiment of every bundled example; and, for the generic
 * experiments no example covers yet, each on every bundled profile across all platforms.
 */
export function startPlans(): RunPlan[] {
  const plans: RunPlan[] = exampleRegistry.flatMap((example) =>
    example.experiments.map((experiment) => ({ experiment, composition: example.name, profile: example.profile, platforms: example.platforms })),
  );
  const covered = new Set(plans.map((p) => p.experiment.id));
  for (const experiment of experimentRegistry) {
    if (covered.has(experiment.id)) continue;
    for (const profile of bundledProfiles) {
      const platforms = platformRegistry.filter((p) => p.unsupportedOn?.(profile) === undefined);
      plans.push({ experiment, composition: platforms.map((p) => p.name).join(','), profile, platforms });
    }
  }
  return plans;
}
