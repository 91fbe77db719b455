/**
 * @visorkit/workloads — benchmark programs and the generic experiments that sweep them over
 * platforms. Browser-safe.
 */
export * from './experiment/experiment.js';
export * from './experiment/define-platform.js';
export * from './experiment/published-figures.js';
export * from './experiments/cpu-share.js';
export * from './experiments/features.js';
export * from './programs/dirtying-guest.js';
export * from './experiments/migration.js';
