import 'reflect-metadata';
import type { ExperimentResult } from '@visorkit/workloads';
import { fromKey, type PlanKey } from './plan-key.js';
import { runExperiment } from './run-experiment.js';

/** Piscina task: runs one plan in this worker thread and returns its result document. */
export default function runPlanTask(task: { key: PlanKey; seed: number }): ExperimentResult {
  return runExperiment(fromKey(task.key), { seed: task.seed });
}
