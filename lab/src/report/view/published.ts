import { PUBLISHED_MICRO_SOURCE, PUBLISHED_MICRO_US, PUBLISHED_SHARING_MB, PUBLISHED_SHARING_SOURCE, type ExperimentResult } from '@visorkit/workloads';

/**
 * A table of published figures the report sets beside simulated ones. Figures belong to the
 * machine they were measured on, so a table is compared only on runs of that machine's
 * profile: a 2007 server's lmbench figures say nothing about a 2003 Xeon or a current server.
 *
 * @public
 */
export interface PublishedTable {
  /** Short name, as the fidelity summary lists it. */
  readonly id: string;
  readonly caption: string;
  /** Where the figures come from. */
  readonly source: string;
  /** The experiment whose rows it publishes. */
  readonly experiment: string;
  /** The profile of the machine the figures were measured on. */
  readonly profile: string;
  /** The published figure of (metric, platform), if the table has one. */
  value(metric: string, platform: string): number | undefined;
}

/**
 * Every published table the report knows: the seed's micro-benchmark table (the fit set).
 *
 * @public
 */
export const publishedTables: readonly PublishedTable[] = [
  {
    id: 'seed micro-benchmarks',
    caption: 'lmbench-style micro-benchmarks, uniprocessor kernels, µs',
    source: `${PUBLISHED_MICRO_SOURCE.paper}: ${PUBLISHED_MICRO_SOURCE.table}; measured on ${PUBLISHED_MICRO_SOURCE.hardware} (tabulated in shared/reference/seed-results.json)`,
    experiment: 'micro',
    profile: PUBLISHED_MICRO_SOURCE.profile,
    value: (metric, platform) => PUBLISHED_MICRO_US[metric]?.[platform],
  },
  {
    id: 'seed sharing claim',
    caption: 'server image storage, one and ten unified servers, MB',
    source: `${PUBLISHED_SHARING_SOURCE.paper}: ${PUBLISHED_SHARING_SOURCE.table}; ${PUBLISHED_SHARING_SOURCE.hardware}`,
    experiment: 'sharing',
    profile: PUBLISHED_SHARING_SOURCE.profile,
    value: (metric, platform) => PUBLISHED_SHARING_MB[metric]?.[platform],
  },
];

/**
 * The published table that applies to a run, if any.
 *
 * @public
 */
export function publishedTableFor(result: Pick<ExperimentResult, 'experiment' | 'profile'>): PublishedTable | undefined {
  return publishedTables.find((t) => t.experiment === result.experiment && t.profile === result.profile);
}
