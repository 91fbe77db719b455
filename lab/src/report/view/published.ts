import { PUBLISHED_MICRO_US, type ExperimentResult } from '@visorkit/workloads';

/**
 * A table of published figures the report sets beside simulated ones. Figures belong to the
 * machine they were measured on, so a table is compared only on runs of that machine's
 * profile: a 2007 server's lmbench figures say nothing about a 2003 Xeon or a current server.
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

/** Every published table the report knows: the seed's micro-benchmark table (the fit set). */
export const publishedTables: readonly PublishedTable[] = [
  {
    id: 'seed micro-benchmarks',
    caption: 'lmbench-style micro-benchmarks, uniprocessor kernels, µs',
    source: 'seed lecture notes (Linux-UP, VServer-UP, Xen3-UP), tabulated in shared/reference/seed-results.json',
    experiment: 'micro',
    profile: 'server-2007',
    value: (metric, platform) => PUBLISHED_MICRO_US[metric]?.[platform],
  },
];

/** The published table that applies to a run, if any. */
export function publishedTableFor(result: Pick<ExperimentResult, 'experiment' | 'profile'>): PublishedTable | undefined {
  return publishedTables.find((t) => t.experiment === result.experiment && t.profile === result.profile);
}
