import 'reflect-metadata';
import test from 'ava';
import type { ResultRow } from '@visorkit/workloads';
import { vserver2007 } from '../src/index.js';

function run(id: string): ResultRow[] {
  const experiment = vserver2007.experiments.find((e) => e.id === id)!;
  return experiment.run({ profile: vserver2007.profile, platforms: vserver2007.platforms, seed: 1 });
}

test('isolation: a dd hog and a fork bomb cost the database and web server under 5% on xen-pv and vserver, over 25% as processes of one OS', (t) => {
  const rows = run('isolation');
  for (const workload of ['osdb-ir', 'specweb']) {
    const of = (platform: string) => rows.find((r) => r.platform === platform && r.workload === workload)!.value;
    t.true(of('xen-pv') < 0.05, `xen-pv ${workload}: ${of('xen-pv')}`);
    t.true(of('vserver') < 0.05, `vserver ${workload}: ${of('vserver')}`);
    t.true(of('native') > 0.25, `native ${workload}: ${of('native')}`);
  }
});

test("relative: CPU-bound work runs within 5% of native everywhere; I/O-heavy work pays for the platform's I/O path", (t) => {
  const rows = run('relative');
  for (const r of rows.filter((x) => x.metric === 'spec-cint')) t.true(r.value > 0.95 && r.value <= 1.05, `${r.platform}: ${r.value}`);
  t.true(rows.filter((r) => r.platform === 'native').every((r) => r.value === 1));
  const web = (p: string) => rows.find((r) => r.platform === p && r.metric === 'specweb')!.value;
  t.true(web('xen-pv') < web('vserver'), `specweb: xen-pv ${web('xen-pv')} vs vserver ${web('vserver')}`);
});

test('concurrent: web servers as processes of one OS and as one per domain or container stay within 15% of each other', (t) => {
  const rows = run('concurrent');
  for (const n of [1, 2, 4, 8, 16]) {
    const processes = rows.find((r) => r.metric === 'throughput-processes' && r.instances === n)!.value;
    for (const r of rows.filter((x) => x.metric === 'throughput-domains' && x.instances === n)) {
      t.true(Math.abs(r.value - processes) / processes < 0.15, `${n} instances: ${r.platform} ${r.value.toFixed(0)} vs processes ${processes.toFixed(0)}`);
    }
  }
});
