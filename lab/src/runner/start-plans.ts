import { bundledProfiles } from '@visorkit/core';
import type { RunPlan } from '../cli/resolve.js';
import { exampleRegistry, bundledWorkspaces } from '../examples/example-registry.js';
import { experimentRegistry } from '../experiments/experiment-registry.js';
import { platformRegistry } from '../platforms/platform-registry.js';

/**
 * What `npm start` runs: every experiment of every bundled example; and each generic
 * experiment on every bundled profile no example runs it on, across the platforms that
 * profile's hardware supports.
 *
 * @internal
 */
export function startPlans(): RunPlan[] {
  const plans: RunPlan[] = exampleRegistry.flatMap((example) =>
    example.experiments
      .filter((experiment) => experiment.inMainJob !== false)
      .map((experiment) => ({ experiment, composition: example.name, profile: example.profile, platforms: example.platforms })),
  );
  // A generic experiment runs on each profile no example already runs it on.
  const covered = new Set(plans.map((p) => `${p.experiment.id}@${p.profile.name}`));
  for (const experiment of [...experimentRegistry, ...bundledWorkspaces.experiments]) {
    if (experiment.sweepAllProfiles === false || experiment.inMainJob === false) continue;
    for (const profile of bundledProfiles) {
      if (covered.has(`${experiment.id}@${profile.name}`)) continue;
      const platforms = [...platformRegistry, ...bundledWorkspaces.platforms].filter((p) => p.unsupportedOn?.(profile) === undefined);
      plans.push({ experiment, composition: platforms.map((p) => p.name).join(','), profile, platforms });
    }
  }
  return plans;
}
