import 'reflect-metadata';
import { CostCategory, createHypervisor, modern, type VcpuProgram, gfn } from '@visorkit/core';
import { nativePlugin } from '@visorkit/native';
import { vserverOn } from '@visorkit/vserver';
import type { Benchmark } from '../benchmark.js';

const compute: VcpuProgram = { run: (v, b) => (v.charge(CostCategory.GuestUser, b), 'budget') };

/** Host memory for 10,000 running containers (VServer contexts), each touching a few pages. */
export const containers: Benchmark = {
  name: 'containers',
  description: 'host memory for 10,000 running containers',
  async run() {
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    const hv = createHypervisor({ machine: modern, plugins: vserverOn(nativePlugin) });
    for (let i = 0; i < 10_000; i++) {
      const d = hv.createDomain({ name: `c${i}`, memoryMiB: 4 });
      for (let g = 0; g < 8; g++) hv.memory.zeroFrame(d.vcpus[0]!, gfn(g));
      hv.start(d, () => compute);
    }
    hv.runUntil(2e8);
    return [{ name: 'scale-domains-rss-mb/10000-containers', value: (process.memoryUsage().rss - before) / 1048576, unit: 'MiB (10,000 containers)' }];
  },
};
