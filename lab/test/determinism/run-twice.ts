import type { TestFn } from 'ava';
import { xeon2003 } from '@visorkit/core';
import type { Experiment, ExperimentResult, PlatformSpec } from '@visorkit/workloads';
import { experimentRegistry } from '../../src/experiments/experiment-registry.js';
import { platformRegistry } from '../../src/platforms/platform-registry.js';
import { runExperiment } from '../../src/runner/run-experiment.js';

/**
 * The smallest configuration that still runs all of an experiment's code: the 2003 profile
 * (two cores) and bare metal alone, whose runs include the clients' machine, the instances'
 * own random streams and every sweep point. Other platforms would repeat the same plumbing.
 */
const NATIVE: PlatformSpec = platformRegistry.find((p) => p.name === 'native')!;

/** The generic experiment `id`. */
export function experiment(id: string): Experiment {
  const e = experimentRegistry.find((x) => x.id === id);
  if (e === undefined) throw new Error(`no experiment '${id}'`);
  return e;
}

/** Platforms by name. */
export function platforms(...names: string[]): PlatformSpec[] {
  return names.map((n) => platformRegistry.find((p) => p.name === n)!);
}

/**
 * What `results.json` would hold for one run of `experiment` with `seed`, as text. Throws
 * when the run has no rows: comparing two empty documents would prove nothing.
 */
export function resultsJson(e: Experiment, seed: number, on: readonly PlatformSpec[] = [NATIVE], profile = xeon2003): string {
  const result: ExperimentResult = runExperiment({ experiment: e, composition: on.map((p) => p.name).join(','), profile, platforms: on }, { seed });
  if (result.results.length === 0) throw new Error(`${e.id} gave no rows on ${on.map((p) => p.name).join(',')}`);
  return JSON.stringify(result.results);
}

/** Declares: two runs of `id` with one seed give identical results. */
export function repeatsExactly(test: TestFn, id: string, on?: readonly PlatformSpec[]): void {
  test(`${id}: two runs with one seed give identical results`, (t) => {
    const e = experiment(id);
    t.is(resultsJson(e, 7, on), resultsJson(e, 7, on));
  });
}

/** Declares: `id` draws random numbers from the run's seed — identical with one seed, different with another. */
export function followsItsSeed(test: TestFn, id: string): void {
  test(`${id}: the same seed gives identical results, another seed different ones`, (t) => {
    const e = experiment(id);
    const first = resultsJson(e, 1);
    t.is(resultsJson(e, 1), first, 'a second run with seed 1 differs from the first');
    t.not(resultsJson(e, 2), first, 'seed 2 gave exactly the results of seed 1: the seed does not reach the randomness');
  });
}
