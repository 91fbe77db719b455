import type { Hypervisor } from '@visorkit/core';
import type { ExperimentResult } from '@visorkit/workloads';
import type { RunPlan } from '../cli/resolve.js';

/** Options of one experiment run. */
export interface RunOptions {
  readonly seed: number;
  readonly observe?: (hv: Hypervisor, platform: string) => void;
  readonly progress?: (done: number, total: number) => void;
}

/** Runs a resolved plan and returns the result document. */
export function runExperiment(plan: RunPlan, options: RunOptions): ExperimentResult {
  const results = plan.experiment.run({
    profile: plan.profile,
    platforms: plan.platforms,
    seed: options.seed,
    ...(options.observe !== undefined ? { observe: options.observe } : {}),
    ...(options.progress !== undefined ? { progress: options.progress } : {}),
  });
  return { experiment: plan.experiment.id, composition: plan.composition, profile: plan.profile.name, seed: options.seed, results };
}
