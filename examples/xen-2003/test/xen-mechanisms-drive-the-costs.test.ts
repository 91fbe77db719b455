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

test("each Xen version's page-table path shows in fork's counts: 1.x queues and batches every update, 2.0-3.0.2 unhooks and revalidates, 3.0.3 emulates lone writes", (t) => {
  const v1 = measure(server2007, { pageTableMode: 'batched', batchSize: 2048 }, 'fork');
  const v2 = measure(server2007, { pageTableMode: 'writable' }, 'fork');
  const v3 = measure(server2007, { pageTableMode: 'emulated' }, 'fork');
  // 1.x: the parent's write-protects ride in the batches with the child's entries; nothing traps.
  t.is(v1.counts['pt-write-emulated'] ?? 0, 0);
  t.is(v1.counts['writable-pt-trap'] ?? 0, 0);
  t.true(v1.counts['mmu-update-batch']! > 0);
  // So fewer crossings into Xen for page-table updates than 3.0.3's batches plus its emulated lone writes.
  const v3Crossings = v3.counts['mmu-update-batch']! + v3.counts['pt-write-emulated']!;
  t.true(v1.counts['mmu-update-batch']! < v3Crossings, `${v1.counts['mmu-update-batch']} batches vs ${v3Crossings} batches and emulated writes`);
  // 2.0-3.0.2: a trap unhooks each leaf table; reconnecting revalidates it.
  t.true(v2.counts['writable-pt-trap']! > 0);
  t.true(v2.counts['writable-pt-revalidate']! > 0);
  // 3.0.3+: every lone write outside a batch is trapped and emulated.
  t.true(v3.counts['pt-write-emulated']! > 0);
});
