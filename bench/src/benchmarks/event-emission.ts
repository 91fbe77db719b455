import { CpuEvents } from '@visorkit/core';
import type { Benchmark } from '../benchmark.js';
import { opsPerSecond } from './measure.js';

const N = 1_000_000;

/** The cost of a guarded emission with nobody listening, against one with a subscriber. */
export const eventEmission: Benchmark = {
  name: 'event-emission',
  description: 'guarded rxjs emission, unobserved vs observed',
  async run() {
    const events = new CpuEvents();
    const emit = (): void => {
      for (let i = 0; i < N; i++) if (events.vmExitsObserved) events.emitVmExit({ time: i, domainId: 1, vcpu: 0, reason: 'halt' });
    };
    const unobserved = await opsPerSecond('unobserved', N, emit);
    let seen = 0;
    const sub = events.vmExits$.subscribe(() => seen++);
    const observed = await opsPerSecond('observed', N, emit);
    sub.unsubscribe();
    return [
      { name: 'unobserved-emit-ns', value: 1e9 / unobserved, unit: 'ns' },
      { name: 'observed-emit-ns', value: seen > 0 ? 1e9 / observed : Number.NaN, unit: 'ns' },
    ];
  },
};
