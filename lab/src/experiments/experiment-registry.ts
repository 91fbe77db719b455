import {
  concurrent,
  cpuShare,
  faultIsolation,
  features,
  isolation,
  micro,
  migration,
  modernExperiment,
  relative,
  scalability,
  density,
  sharing,
  tcp,
  type Experiment,
} from '@visorkit/workloads';

/**
 * Every generic experiment, by id.
 *
 * @public
 */
export const experimentRegistry: readonly Experiment[] = [
  micro,
  tcp,
  relative,
  concurrent,
  isolation,
  scalability,
  density,
  faultIsolation,
  sharing,
  cpuShare,
  features,
  migration,
  modernExperiment,
];
