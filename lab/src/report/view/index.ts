/**
 * The report's views, browser-safe (no Node imports): tables in the paper's form, the
 * fidelity summary, the paper's figures as inline SVG, and HTML and Markdown around them.
 * The CLI's report and the browser playground both render through this module.
 */
export * from './format.js';
export * from './published.js';
export * from './paper-table.js';
export * from './fidelity-summary.js';
export * from './svg-kit.js';
export * from './bar-chart.js';
export * from './line-chart.js';
export * from './timeline-chart.js';
export * from './paper-figures.js';
export * from './explain.js';
export * from './html-report.js';
export * from './markdown-report.js';
