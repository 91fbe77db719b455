/**
 * @visorkit/lab — the `visorkit` CLI, experiment runner, reports, charts and traces.
 * Node-only (files, terminals, worker threads).
 */
export * from './cli/resolve.js';
export * from './cli/usage-error.js';
export * from './cli/outside-plugins.js';
export * from './platforms/platform-registry.js';
export * from './experiments/experiment-registry.js';
export * from './examples/example-registry.js';
export * from './examples/discover-workspaces.js';
export * from './examples/workspace-declaration.js';
export * from './runner/run-experiment.js';
export * from './runner/start-plans.js';
export * from './report/view/index.js';
export * from './report/text-report.js';
export * from './report/write-report.js';
export * from './trace/chrome-trace.js';
