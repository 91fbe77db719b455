/**
 * Figures the seed publishes, to print beside simulated ones. Source: the seed's lecture
 * notes (`shared/seed`), as tabulated in `shared/reference/seed-results.json`:
 * lmbench-style micro-benchmarks on uniprocessor kernels, in microseconds.
 */
export const PUBLISHED_MICRO_US: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  fork: { native: 86.5, vserver: 86.9, 'xen-pv': 271.9 },
  exec: { native: 299.8, vserver: 302.0, 'xen-pv': 734.7 },
  sh: { native: 968.1, vserver: 977.7, 'xen-pv': 1893.3 },
  'ctx-16p-64k': { native: 3.38, vserver: 3.81, 'xen-pv': 6.02 },
  'mmap-64mb': { native: 377.0, vserver: 379.0, 'xen-pv': 1234.6 },
  'mmap-256mb': { native: 1491.7, vserver: 1498.0, 'xen-pv': 4847.3 },
  'page-fault': { native: 1.03, vserver: 1.03, 'xen-pv': 3.21 },
};

/** The published figure for (experiment, metric, platform), if the seed has one. */
export function publishedFigure(experiment: string, metric: string, platform: string): number | undefined {
  if (experiment === 'micro') return PUBLISHED_MICRO_US[metric]?.[platform];
  return undefined;
}
