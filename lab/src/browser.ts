/**
 * The browser-safe part of @visorkit/lab (`@visorkit/lab/browser`): the registries of
 * platforms, experiments and examples, and the report's view (tables, figures, HTML). No
 * Node imports, so the playground runs and draws exactly what the CLI does.
 */
export * from './platforms/platform-registry.js';
export * from './experiments/experiment-registry.js';
export * from './examples/example-registry.js';
export * from './report/view/index.js';
