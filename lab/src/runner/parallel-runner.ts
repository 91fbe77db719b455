import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { ExperimentResult } from '@visorkit/workloads';
import type { RunPlan } from '../cli/resolve.js';
import { toKey } from './plan-key.js';

/**
 * Old-generation heap of each worker, in MiB. A run's live data stays well below it (the
 * largest, density's fullest machine, about 150 MiB), but V8 sizes its heap from the host's
 * memory and on a large host lets garbage grow to gigabytes per thread before collecting it.
 */
export const WORKER_HEAP_MIB = 256;

/**
 * Runs independent plans on a pool of worker threads. Each run is determined by its
 * (composition, profile, workload, seed), so the results equal a serial run's exactly;
 * they come back in plan order whatever order the workers finish in.
 */
export async function runPlansInParallel(plans: readonly RunPlan[], seed: number, workers = availableParallelism()): Promise<ExperimentResult[]> {
  const pool = new Piscina({
    filename: new URL('./plan-worker.js', import.meta.url).href,
    maxThreads: Math.max(1, workers),
    minThreads: 1,
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MIB },
  });
  try {
    return await Promise.all(plans.map((plan) => pool.run({ key: toKey(plan), seed }) as Promise<ExperimentResult>));
  } finally {
    await pool.destroy();
  }
}
