import 'reflect-metadata';
import test from 'ava';
import fc from 'fast-check';
import { FailureScope, NetworkBackend, VcpuScheduler, createHypervisor, modern, type Plugin } from '@visorkit/core';
import { lotteryPlugin } from '@visorkit/example-third-party-plugin';
import { bootGuest } from '@visorkit/guest';
import { nativePlugin } from '@visorkit/native';
import { vserverPlugin } from '@visorkit/vserver';
import { LOOPBACK, microBenchmark, type Results } from '@visorkit/workloads';
import { exampleRegistry, platformRegistry } from '../../src/index.js';

/** Every composition the project ships (platforms and examples), plus a three-plugin stack. */
function bundledCompositions(): { name: string; plugins: readonly Plugin[] }[] {
  const specs = [...platformRegistry, ...exampleRegistry.flatMap((e) => e.platforms)];
  const out = specs.filter((s) => s.plugins !== undefined && s.unsupportedOn?.(modern) === undefined).map((s) => ({ name: s.name, plugins: s.plugins! }));
  out.push({ name: 'vserver+lottery', plugins: [nativePlugin.without(VcpuScheduler, NetworkBackend), vserverPlugin.without(VcpuScheduler), lotteryPlugin] });
  return out;
}

/** A short guest run on the composition: what a user could observe of it. */
function observe(plugins: readonly Plugin[]): unknown {
  const hv = createHypervisor({ machine: modern, plugins, options: { cores: 1, memoryMiB: 1024 } });
  const domain = hv.createDomain({ name: 'linux', memoryMiB: 512 });
  const results: Results = {};
  const kernel = bootGuest(hv, domain, {
    programs: { '/bin/lmbench': { program: microBenchmark(['null-call', 'fork'], results) } },
    files: { '/etc/passwd': 2048 },
    run: ['/bin/lmbench'],
    address: LOOPBACK,
  });
  hv.runWhile(() => !kernel.idle && domain.state === 'running');
  return {
    name: hv.name,
    capabilities: [...hv.capabilities].sort(),
    failureScope: hv.service(FailureScope)?.constructor.name,
    points: [hv.memory, hv.cpu, hv.scheduler, hv.time, hv.network, hv.block].map((x) => (x as object).constructor.name),
    results,
    now: hv.now,
    counts: hv.counts(domain),
  };
}

test('every bundled composition gives identical results in every order of its plugin list', (t) => {
  const compositions = bundledCompositions();
  t.true(compositions.length >= 15, `${compositions.length} compositions`);
  t.true(compositions.some((c) => c.plugins.length === 3));
  for (const { name, plugins } of compositions) {
    const reference = observe(plugins) as { results: Results };
    t.true(reference.results.fork! > 0 && reference.results['null-call']! > 0, `${name} ran its guest`);
    if (plugins.length === 1) continue;
    fc.assert(
      fc.property(fc.shuffledSubarray([...plugins], { minLength: plugins.length, maxLength: plugins.length }), (order) => {
        t.deepEqual(observe(order), reference, `${name} as ${order.map((p) => p.name).join(', ')}`);
      }),
      { numRuns: plugins.length === 2 ? 4 : 8 },
    );
  }
});
