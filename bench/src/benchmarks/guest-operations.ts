import 'reflect-metadata';
import { createHypervisor, server2007, type Plugin } from '@visorkit/core';
import { bootGuest, type Sys } from '@visorkit/guest';
import { nativePlugin } from '@visorkit/native';
import { xenPvPlugin } from '@visorkit/xen-pv';
import type { BenchFigure, Benchmark } from '../benchmark.js';

/** Simulated guest operations per host second: a whole guest kernel doing `n` of them. */
function perSecond(plugin: Plugin, n: number, body: (sys: Sys) => Generator<unknown, unknown, unknown>): number {
  const hv = createHypervisor({ machine: server2007, plugins: [plugin], options: { cores: 1 } });
  const d = hv.createDomain({ name: 'g', memoryMiB: 256 });
  const program = function* (sys: Sys) {
    for (let i = 0; i < n; i++) yield* body(sys) as Generator<never, unknown, unknown>;
    return 0;
  };
  const kernel = bootGuest(hv, d, { programs: { '/bin/b': { program } }, run: ['/bin/b'] });
  const t0 = performance.now();
  hv.runWhile(() => !kernel.idle);
  return n / ((performance.now() - t0) / 1000);
}

/** `null-syscall-per-s` and `fork-per-s` on native and on xen-pv. */
export const guestOperations: Benchmark = {
  name: 'guest-operations',
  description: 'simulated null system calls and forks per host second, native and xen-pv',
  async run() {
    const figures: BenchFigure[] = [];
    for (const [name, plugin] of [
      ['native', nativePlugin],
      ['xen-pv', xenPvPlugin],
    ] as const) {
      figures.push({
        name: `null-syscall-per-s/${name}`,
        value: perSecond(plugin, 200_000, function* (sys) {
          yield* sys.getppid();
        }),
        unit: 'syscalls/s',
      });
      figures.push({
        name: `fork-per-s/${name}`,
        value: perSecond(plugin, 2_000, function* (sys) {
          yield* sys.fork(function* () {
            return 0;
          });
          yield* sys.wait();
        }),
        unit: 'forks/s',
      });
    }
    return figures;
  },
};
