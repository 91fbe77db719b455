/**
 * @visorkit/conformance — contract suites any visorkit plugin (or composition) runs to
 * prove it keeps the extension points' contracts, above all isolation.
 */
export * from './contract.js';
export * from './contracts/memory-contracts.js';
export * from './contracts/cpu-contracts.js';
export * from './contracts/scheduler-contracts.js';
export * from './contracts/time-contracts.js';
export * from './contracts/network-contracts.js';
export * from './contracts/disk-contracts.js';
export * from './contracts/lifecycle-contracts.js';
export * from './contracts/capability-contracts.js';
export * from './contracts/differential-contracts.js';
export * from './kit/kit-settings.js';
export * from './kit/check-property.js';
export * from './kit/machine-under-test.js';
export * from './kit/profiles.js';
export * from './run-conformance.js';
