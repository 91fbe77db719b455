import 'reflect-metadata';
import { CostCategory, createHypervisor, modern, type VcpuProgram } from '@visorkit/core';
import { hwAssistPlugin } from '@visorkit/hw-assist';
import type { Benchmark } from '../benchmark.js';

const compute: VcpuProgram = { run: (v, b) => (v.charge(CostCategory.GuestUser, b), 'budget') };

/**
 * Host memory and time for 1,000 running domains, each touching 64 pages, run for one
 * simulated second; and wall time of a 128-domain compute run of 10 simulated seconds.
 */
export const scaleDomains: Benchmark = {
  name: 'scale-domains',
  description: 'host memory for 1,000 running domains; 128-domain run time',
  async run() {
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    const hv = createHypervisor({ machine: modern, plugins: [hwAssistPlugin] });
    for (let i = 0; i < 1000; i++) {
      const d = hv.createDomain({ name: `d${i}`, memoryMiB: 16 });
      for (let g = 0; g < 64; g++) hv.memory.zeroFrame(d.vcpus[0]!, g as never);
      hv.start(d, () => compute);
    }
    hv.runUntil(1e9);
    const rssMb = (process.memoryUsage().rss - before) / 1048576;

    const t0 = performance.now();
    const many = createHypervisor({ machine: modern, plugins: [hwAssistPlugin] });
    for (let i = 0; i < 128; i++) many.start(many.createDomain({ name: `d${i}`, memoryMiB: 16 }), () => compute);
    many.runUntil(10e9);
    const seconds = (performance.now() - t0) / 1000;
    return [
      { name: 'scale-domains-rss-mb', value: rssMb, unit: 'MiB (1,000 domains)' },
      { name: 'scalability-128-s', value: seconds, unit: 's (128 compute domains, 10 simulated s)' },
    ];
  },
};
