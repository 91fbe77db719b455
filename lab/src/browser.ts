/**
 * The browser-safe part of @visorkit/lab (`@visorkit/lab/browser`): the registries of
 * platforms and experiments, how a workspace's `visorkit` declaration becomes examples
 * (the playground finds the workspaces at build time, the CLI when it loads), and the
 * report's view (tables, figures, HTML). No Node imports, so the playground runs and draws
 * exactly what the CLI does.
 */
export * from './platforms/platform-registry.js';
export * from './experiments/experiment-registry.js';
export * from './examples/workspace-declaration.js';
export * from './report/view/index.js';
