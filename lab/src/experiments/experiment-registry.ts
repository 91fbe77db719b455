import { cpuShare, features, migration, modernExperiment, type Experiment } from '@visorkit/workloads';

/** Every generic experiment, by id. */
export const experimentRegistry: readonly Experiment[] = [cpuShare, features, migration, modernExperiment];
