/**
 * Figures the seed publishes, to print beside simulated ones. Source: the seed's lecture
 * notes (`shared/seed`), as tabulated in `shared/reference/seed-results.json`:
 * lmbench-style micro-benchmarks on uniprocessor kernels, in microseconds. They are the fit
 * set (VALIDATION.md): fitted parameters may be fitted to these cells and nothing else.
 *
 * @public
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

/**
 * Where a published column comes from: the paper, its table and the hardware it was measured on.
 *
 * @public
 */
export interface PublishedSource {
  readonly paper: string;
  readonly table: string;
  readonly hardware: string;
  /** The bundled machine profile that models that hardware: figures show only beside runs on it. */
  readonly profile: string;
}

/**
 * The source of {@link PUBLISHED_MICRO_US}.
 *
 * @public
 */
export const PUBLISHED_MICRO_SOURCE: PublishedSource = {
  paper: 'Soltesz et al., "Container-based Operating System Virtualization", EuroSys 2007, as tabulated in the seed\'s lecture notes',
  table: 'lmbench micro-benchmarks, uniprocessor kernels: Linux-UP, VServer-UP, Xen3-UP (µs)',
  hardware: "NetBurst Xeon 3.2 GHz server with 2 MB L2 (the paper's testbed class)",
  profile: 'server-2007',
};

/**
 * The seed's sharing claim: a server image of about 500 MB, ten unified container servers in about 700 MB.
 *
 * @public
 */
export const PUBLISHED_SHARING_MB: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  'memory-mb-1': { vserver: 500 },
  'memory-mb-10-unified': { vserver: 700 },
};

/**
 * The source of {@link PUBLISHED_SHARING_MB}.
 *
 * @public
 */
export const PUBLISHED_SHARING_SOURCE: PublishedSource = {
  paper: 'Soltesz et al., "Container-based Operating System Virtualization", EuroSys 2007, as the seed\'s lecture notes state it',
  table: 'the sharing claim: a typical server image ~500 MB, 10 unified servers ~700 MB',
  hardware: "storage, independent of the processor (shown with the paper's testbed profile)",
  profile: 'server-2007',
};

/**
 * The published figure for (experiment, metric, platform) if the seed has one measured on the
 * hardware `profile` models; a figure measured on other hardware is never shown beside a run.
 *
 * @public
 */
export function publishedFigure(experiment: string, metric: string, platform: string, profile: string): number | undefined {
  if (experiment === 'micro' && profile === PUBLISHED_MICRO_SOURCE.profile) return PUBLISHED_MICRO_US[metric]?.[platform];
  if (experiment === 'sharing' && profile === PUBLISHED_SHARING_SOURCE.profile) return PUBLISHED_SHARING_MB[metric]?.[platform];
  return undefined;
}

/**
 * The source of the published column shown for `experiment` on `profile`, if any.
 *
 * @public
 */
export function publishedSource(experiment: string, profile: string): PublishedSource | undefined {
  if (experiment === 'micro' && profile === PUBLISHED_MICRO_SOURCE.profile) return PUBLISHED_MICRO_SOURCE;
  if (experiment === 'sharing' && profile === PUBLISHED_SHARING_SOURCE.profile) return PUBLISHED_SHARING_SOURCE;
  return undefined;
}
