import { cpuShare, features, micro, migration, modernExperiment, scalability, sharing, type Experiment } from '@visorkit/workloads';

/** Every generic experiment, by id. */
export const experimentRegistry: readonly Experiment[] = [micro, scalability, sharing, cpuShare, features, migration, modernExperiment];
