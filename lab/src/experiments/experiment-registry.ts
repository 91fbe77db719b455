import { cpuShare, features, micro, migration, modernExperiment, scalability, sharing, tcp, type Experiment } from '@visorkit/workloads';

/** Every generic experiment, by id. */
export const experimentRegistry: readonly Experiment[] = [micro, tcp, scalability, sharing, cpuShare, features, migration, modernExperiment];
