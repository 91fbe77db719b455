/** @visorkit/bench — benchmarks of the simulator itself. Run with `npm run bench`. */
export * from './benchmark.js';
