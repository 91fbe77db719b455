/**
 * @visorkit/conformance — contract suites any visorkit plugin (or composition) runs to
 * prove it keeps the extension points' contracts, above all isolation.
 */
export * from './contract.js';
export * from './contracts/memory-contracts.js';
export * from './contracts/other-contracts.js';
export * from './run-conformance.js';
