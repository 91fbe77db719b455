/**
 * @visorkit/workloads — benchmark programs and the generic experiments that sweep them over
 * platforms. Browser-safe.
 */
export * from './experiment/experiment.js';
export * from './experiment/define-platform.js';
export * from './experiment/domain-input.js';
export * from './experiment/published-figures.js';
export * from './experiments/cpu-share.js';
export * from './experiments/features.js';
export * from './programs/dirtying-guest.js';
export * from './experiments/migration.js';
export * from './programs/random-access.js';
export * from './programs/bulk-sender.js';
export * from './experiments/modern.js';
export * from './lmbench/lmbench.js';
export * from './experiments/micro.js';
export * from './programs/cint-like.js';
export * from './experiments/scalability.js';
export * from './programs/consolidated-service.js';
export * from './experiments/density.js';
export * from './experiment/service-host.js';
export * from './experiments/fault-isolation.js';
export * from './programs/server-image.js';
export * from './experiments/sharing.js';
export * from './experiment/client-machine.js';
export * from './programs/bulk-transfer.js';
export * from './experiments/tcp.js';
export * from './programs/web.js';
export * from './programs/osdb.js';
export * from './programs/file-workloads.js';
export * from './experiment/instances.js';
export * from './experiment/benchmark-instances.js';
export * from './experiments/server-experiments.js';
export * from './data/debian-etch-server.js';
