import 'reflect-metadata';
import { CostCategory, createHypervisor, modern, xeon2003, type VcpuProgram, gfn } from '@visorkit/core';
import { definePlatform, scalabilityPoint } from '@visorkit/workloads';
import { xenPvPlugin } from '@visorkit/xen-pv';
import { hwAssistPlugin } from '@visorkit/hw-assist';
import type { Benchmark } from '../benchmark.js';

const compute: VcpuProgram = { run: (v, b) => (v.charge(CostCategory.GuestUser, b), 'budget') };

/**
 * Host memory for 1,000 running domains, each touching 64 pages, run for one simulated
 * second; and the wall time of the scalability experiment's 128-domain point.
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
      for (let g = 0; g < 64; g++) hv.memory.zeroFrame(d.vcpus[0]!, gfn(g));
      hv.start(d, () => compute);
    }
    hv.runUntil(1e9);
    const rssMb = (process.memoryUsage().rss - before) / 1048576;

    // The 128-domain point of the scalability experiment: 128 guest kernels running CINT-like work.
    const xen = definePlatform({ name: 'xen-pv', description: 'Xen', isolation: 'domains', plugins: [xenPvPlugin] });
    const t0 = performance.now();
    scalabilityPoint({ profile: xeon2003, platforms: [xen], seed: 1 }, xen, 128, 50);
    const seconds = (performance.now() - t0) / 1000;
    return [
      { name: 'scale-domains-rss-mb', value: rssMb, unit: 'MiB (1,000 domains)' },
      { name: 'scalability-128-s', value: seconds, unit: 's (128 Xen domains of the scalability run)' },
    ];
  },
};
