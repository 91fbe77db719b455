import type { ExperimentResult } from '@visorkit/workloads';
import type { SweepStore } from './sweep-store.js';
import { runSweepPoint, type SweepPoint } from './sweep-point.js';

/** Runs the points not yet done, somewhere: in this process, or on a queue's workers. */
export interface SweepExecutor {
  /** Runs `points`, calling `done` as each finishes (in any order); resolves once all have. */
  run(points: readonly SweepPoint[], done: (index: number, result: ExperimentResult) => Promise<void>): Promise<void>;
}

/** Runs points one after another in this process. */
export const localExecutor: SweepExecutor = {
  async run(points, done) {
    for (const [i, p] of points.entries()) await done(i, runSweepPoint(p));
  },
};

/**
 * Runs a sweep: takes finished points from `store`, hands the rest to `executor`, keeps each
 * result as it arrives, and returns every point's result in point order.
 */
export async function runSweep(
  points: readonly SweepPoint[],
  executor: SweepExecutor,
  options: { store?: SweepStore; progress?: (done: number, total: number) => void } = {},
): Promise<ExperimentResult[]> {
  const results: (ExperimentResult | undefined)[] = new Array(points.length);
  const missing: number[] = [];
  for (const [i, p] of points.entries()) {
    const kept = await options.store?.get(p);
    if (kept !== undefined) results[i] = kept;
    else missing.push(i);
  }
  let finished = points.length - missing.length;
  options.progress?.(finished, points.length);
  await executor.run(
    missing.map((i) => points[i]!),
    async (j, result) => {
      const i = missing[j]!;
      results[i] = result;
      await options.store?.put(points[i]!, result);
      options.progress?.(++finished, points.length);
    },
  );
  return results.map((r, i) => {
    if (r === undefined) throw new Error(`sweep point ${i} never finished`);
    return r;
  });
}
