import 'reflect-metadata';
import test from 'ava';
import { server2007, xeon2003, type MachineProfile } from '@visorkit/core';
import { definePlatform, runMicro, type MicroMetric } from '@visorkit/workloads';
import { xenPvPlugin } from '@visorkit/xen-pv';

type XenOptions = Parameters<typeof xenPvPlugin.configure>[0];

/** One micro metric under xen-pv configured with `options`: its latency and mechanism counts. */
function measure(profile: MachineProfile, options: XenOptions, metric: MicroMetric) {
  const platform = definePlatform({ name: 'xen-pv', description: 'xen-pv under test', isolation: 'domains', plugins: [xenPvPlugin.configure(options)] });
  const { results, counts } = runMicro({ profile, platforms: [platform], seed: 1 }, platform, [metric]);
  return { us: results[metric]!, counts };
}

test('Xen 1.x: bigger mmu_update batches make fewer hypercalls and a faster fork', (t) => {
  const small = measure(xeon2003, { pageTableMode: 'batched', batchSize: 4, scheduler: 'bvt', backend: 'xen' }, 'fork');
  const large = measure(xeon2003, { pageTableMode: 'batched', batchSize: 128, scheduler: 'bvt', backend: 'xen' }, 'fork');
  t.true(
    large.counts['mmu-update-batch']! < small.counts['mmu-update-batch']! / 4,
    `${large.counts['mmu-update-batch']} vs ${small.counts['mmu-update-batch']} batches`,
  );
  t.true(large.us < small.us, `fork: ${large.us.toFixed(1)} µs with 128-entry batches vs ${small.us.toFixed(1)} µs with 4`);
});

test('a fast system-call handler in ring 1 beats bouncing every system call through Xen', (t) => {
  const fast = measure(server2007, { fastSystemCalls: true }, 'null-call');
  const bounced = measure(server2007, { fastSystemCalls: false }, 'null-call');
  t.true(bounced.us > 2 * fast.us, `null call: ${bounced.us.toFixed(2)} µs bounced vs ${fast.us.toFixed(2)} µs fast`);
  t.true((bounced.counts.bounce ?? 0) > (fast.counts.bounce ?? 0) + 100);
});

test('Xen 3 emulates each lone write to a live page table; fork write-protects the parent that way', (t) => {
  const emulated = measure(server2007, { pageTableMode: 'emulated' }, 'fork');
  const writable = measure(server2007, { pageTableMode: 'writable' }, 'fork');
  t.true(emulated.counts['pt-write-emulated']! > 0);
  t.is(writable.counts['pt-write-emulated'] ?? 0, 0);
  t.true(writable.counts['writable-pt-trap']! > 0);
});

test('every new address space pins a copy of the kernel half, so fork costs Xen hundreds of validations', (t) => {
  const { counts } = measure(server2007, {}, 'fork');
  const forks = 41; // the warm-up fork and the 40 timed ones, each building one new address space
  t.true(counts['pte-validate']! / forks > 450, `${counts['pte-validate']} validations over ${forks} forks`);
});
