import { cpuShare, features, micro, migration, modernExperiment, scalability, type Experiment } from '@visorkit/workloads';

/** Every generic experiment, by id. */
export const experimentRegistry: readonly Experiment[] = [micro, scalability, cpuShare, features, migration, modernExperiment];
