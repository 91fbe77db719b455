import { cpuShare, features, migration, type Experiment } from '@visorkit/workloads';

/** Every generic experiment, by id. */
export const experimentRegistry: readonly Experiment[] = [cpuShare, features, migration];
