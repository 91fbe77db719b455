import 'reflect-metadata';
import test from 'ava';
import { network, randomAccess, runMicro, type ExperimentContext, type ResultRow } from '@visorkit/workloads';
import { modernCloud } from '../src/index.js';

/** The modern experiment's own measurements (without its micro-benchmark rows). */
function modernRows(platforms: readonly string[]): ResultRow[] {
  const ctx: ExperimentContext = { profile: modernCloud.profile, platforms: modernCloud.platforms.filter((p) => platforms.includes(p.name)), seed: 1 };
  return ctx.platforms.flatMap((p) => [randomAccess(ctx, p), ...network(ctx, p)]);
}

function run(id: string, platforms?: readonly string[]): ResultRow[] {
  const experiment = modernCloud.experiments.find((e) => e.id === id)!;
  return experiment.run({
    profile: modernCloud.profile,
    platforms: modernCloud.platforms.filter((p) => platforms === undefined || platforms.includes(p.name)),
    seed: 1,
  });
}

function value(rows: readonly ResultRow[], platform: string, metric: string, keys: Record<string, unknown> = {}): number {
  const row = rows.find((r) => r.platform === platform && r.metric === metric && Object.entries(keys).every(([k, v]) => r[k] === v));
  if (row === undefined) throw new Error(`no ${metric} row for ${platform}`);
  return row.value;
}

test('nested paging is worse than native on a TLB-miss-heavy workload; 2 MiB host pages recover part of it', (t) => {
  const rows = modernRows(['native', 'hvm-ept', 'hvm-ept-2m']);
  const native = value(rows, 'native', 'random-access');
  const ept = value(rows, 'hvm-ept', 'random-access');
  const ept2m = value(rows, 'hvm-ept-2m', 'random-access');
  t.true(ept > native * 1.1, `ept ${ept} vs native ${native}`);
  t.true(ept2m < ept);
  const nativeRefs = rows.find((r) => r.platform === 'native' && r.metric === 'random-access')!.counts['page-walk-ref']!;
  const eptRefs = rows.find((r) => r.platform === 'hvm-ept' && r.metric === 'random-access')!.counts['page-walk-ref']!;
  t.true(eptRefs > 1.5 * nativeRefs, 'the difference is the two-dimensional walk');
});

test('SR-IOV reaches near-native throughput at lower CPU per byte than paravirtual rings', (t) => {
  const rows = modernRows(['native', 'hvm-ept', 'hvm-sriov']);
  t.true(value(rows, 'hvm-sriov', 'net-throughput-mbps') >= 0.9 * value(rows, 'native', 'net-throughput-mbps'));
  t.true(value(rows, 'hvm-sriov', 'net-cycles-per-byte') < value(rows, 'hvm-ept', 'net-cycles-per-byte'));
});

test('the features table: bare metal refuses the hypervisor features, hardware-assisted platforms do them all', (t) => {
  const rows = run('features', ['native', 'hvm-ept']);
  for (const metric of ['multiple-kernels', 'checkpoint-resume', 'live-migration', 'live-update']) {
    t.is(value(rows, 'native', metric), 0, metric);
    t.is(value(rows, 'hvm-ept', metric), 1, metric);
  }
});

test('a web-server-like guest migrates live with downtime under 1 s; stop-and-copy pays the whole transfer', (t) => {
  const rows = run('migration', ['hvm-ept']);
  const live = value(rows, 'hvm-ept', 'downtime-ms', { mode: 'live', workload: 'web-server', 'memory-mb': 256 });
  const stop = value(rows, 'hvm-ept', 'downtime-ms', { mode: 'stop-and-copy', workload: 'web-server', 'memory-mb': 256 });
  t.true(live < 1000);
  t.true(stop > live);
  const small = value(rows, 'hvm-ept', 'total-ms', { mode: 'live', workload: 'idle', 'memory-mb': 64 });
  const large = value(rows, 'hvm-ept', 'total-ms', { mode: 'live', workload: 'idle', 'memory-mb': 256 });
  t.true(large > small, 'total time grows with memory');
});

test('on the micro-benchmarks nested paging stays near native while shadow paging is worst on fork and exec', (t) => {
  const ctx: ExperimentContext = {
    profile: modernCloud.profile,
    platforms: modernCloud.platforms.filter((p) => ['native', 'hvm-ept', 'hvm-shadow'].includes(p.name)),
    seed: 1,
  };
  const get = (platform: string, metric: 'fork' | 'exec' | 'mmap-64mb') =>
    runMicro(ctx, ctx.platforms.find((p) => p.name === platform)!, [metric]).results[metric]!;
  for (const metric of ['fork', 'exec', 'mmap-64mb'] as const) {
    const native = get('native', metric);
    t.true(get('hvm-ept', metric) < native * 1.15, `${metric}: hvm-ept near native`);
  }
  for (const metric of ['fork', 'exec'] as const) t.true(get('hvm-shadow', metric) > 1.5 * get('hvm-ept', metric), `${metric}: shadow paging worst`);
});
