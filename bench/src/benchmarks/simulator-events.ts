import { Simulator } from '@visorkit/core';
import type { Benchmark } from '../benchmark.js';
import { opsPerSecond } from './measure.js';

const PENDING = 50_000;
const BATCH = 100_000;

/**
 * `events-per-s`: schedule + dispatch with a realistic queue. 50,000 events stay pending;
 * each one fired schedules another at a pseudo-random delay, as vCPU bursts, timers and I/O
 * completions do.
 */
export const simulatorEvents: Benchmark = {
  name: 'events-per-s',
  description: 'simulator schedule+dispatch with 50,000 pending events',
  async run() {
    const sim = new Simulator(1);
    let x = 12345;
    const next = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % 100_000;
    const action = (): void => void sim.schedule(next(), action);
    for (let i = 0; i < PENDING; i++) sim.schedule(next(), action);
    const value = await opsPerSecond('events', BATCH, () => {
      for (let i = 0; i < BATCH; i++) sim.step();
    });
    return [{ name: 'events-per-s', value, unit: 'events/s' }];
  },
};
