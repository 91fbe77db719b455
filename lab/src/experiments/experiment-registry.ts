import { cpuShare, features, micro, migration, modernExperiment, type Experiment } from '@visorkit/workloads';

/** Every generic experiment, by id. */
export const experimentRegistry: readonly Experiment[] = [micro, cpuShare, features, migration, modernExperiment];
