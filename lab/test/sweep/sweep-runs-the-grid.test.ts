import test from 'ava';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { server2007 } from '@visorkit/core';
import { parseVary, sweepPoints } from '../../src/sweep/sweep-grid.js';
import { aggregateSweep, meanCi95, tQuantile975 } from '../../src/sweep/sweep-stats.js';
import { pointKey, runSweepPoint, type SweepPoint } from '../../src/sweep/sweep-point.js';
import { resolvePlatforms } from '../../src/cli/resolve.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { visorkit } from '../cli/run-cli.js';

const base = { experiment: 'cpu-share', profile: server2007, platforms: resolvePlatforms('native,xen-pv'), domains: [] };

test('the grid is the product of the axes, each point run with seeds 1…N', (t) => {
  const points = sweepPoints(base, parseVary(['profile.cpu.clockGhz=2,3.2', 'xen-pv.batchSize=1,64', 'domain.memoryMiB=32']), 3);
  t.is(points.length, 2 * 2 * 1 * 3);
  t.deepEqual(
    points.slice(0, 3).map((p) => p.seed),
    [1, 2, 3],
  );
  t.deepEqual(points[0]!.assignment, { 'profile.cpu.clockGhz': 2, 'xen-pv.batchSize': 1, 'domain.memoryMiB': 32 });
  t.is(points[0]!.profile.cpu.clockGhz, 2);
  t.is(points[11]!.profile.cpu.clockGhz, 3.2);
  t.deepEqual(points[0]!.platforms, [
    { name: 'native', options: {} },
    { name: 'xen-pv', options: { 'xen-pv': { batchSize: 1 } } },
  ]);
  t.is(points[0]!.everyDomain?.memoryMiB, 32);
  t.is(new Set(points.map(pointKey)).size, points.length, 'every point has its own key');
});

test('axes that name no field, a bad value or an unknown option are refused naming the key', (t) => {
  const bad = (spec: string): string => t.throws(() => sweepPoints(base, parseVary([spec]), 1), { instanceOf: UsageError }).message;
  t.regex(bad('profile.cpu.clockGz=2'), /no field 'cpu\.clockGz'/);
  t.regex(bad('profile.cpu.cores=0'), /field 'cpu\.cores'/);
  t.regex(bad('xen-pv.batchSise=4'), /batchSise/);
  t.regex(bad('hw-assist.largePages=true'), /plugin of the chosen platforms \(native, xen-pv\)/);
  t.regex(bad('domain.color=3'), /domain\.memoryMiB/);
  t.regex(t.throws(() => parseVary(['seeds']), { instanceOf: UsageError }).message, /expected key=v1,v2/);
});

test("the 95% interval is Student's t over the seeds", (t) => {
  t.is(tQuantile975(2), 4.303);
  const { mean, low, high } = meanCi95([1, 2, 3]);
  t.is(mean, 2);
  t.true(Math.abs(high! - mean - 4.303 / Math.sqrt(3)) < 1e-12);
  t.true(Math.abs(mean - low! - (high! - mean)) < 1e-12);
  t.deepEqual(meanCi95([5]), { mean: 5 });
});

test('rows of a grid point are folded over seeds; each axis becomes a column', (t) => {
  const points = sweepPoints(base, parseVary(['profile.year=2007']), 2) as SweepPoint[];
  const row = (value: number) => ({
    experiment: 'x',
    composition: 'native',
    profile: 'p',
    seed: 1,
    results: [{ platform: 'native', metric: 'm', value, unit: 'us', counts: { a: value } }],
  });
  const rows = aggregateSweep(points, [row(1), row(3)]);
  t.is(rows.length, 1);
  t.like(rows[0], { platform: 'native', metric: 'm', value: 2, seeds: 2, 'profile.year': 2007, counts: { a: 2 } });
});

test('sweep --out keeps finished points; a rerun runs none again and prints the same document', (t) => {
  const out = mkdtempSync(join(tmpdir(), 'visorkit-sweep-'));
  try {
    const args = [
      'sweep',
      'micro',
      '--profile',
      'server-2007',
      '--platforms',
      'native',
      '--vary',
      'profile.costs.syscallRoundTrip=500,1000',
      '--out',
      out,
      '--json',
    ];
    const first = visorkit(...args);
    t.is(first.status, 0, first.stderr);
    const doc = JSON.parse(first.stdout) as { points: number; results: { metric: string; value: number; 'profile.costs.syscallRoundTrip': number }[] };
    t.is(doc.points, 2);
    t.is(readdirSync(join(out, 'points')).length, 2);
    const nullCall = doc.results.filter((r) => r.metric === 'null-call');
    t.is(nullCall.length, 2);
    t.true(nullCall[1]!.value > nullCall[0]!.value, 'a dearer system call shows in the null call');
    // Drop one finished point: the rerun does exactly that one.
    rmSync(join(out, 'points', readdirSync(join(out, 'points'))[0]!));
    const again = visorkit(...args);
    t.is(again.status, 0, again.stderr);
    t.is(again.stdout, first.stdout);
    t.is(readdirSync(join(out, 'points')).length, 2);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('a domains axis sets how many domains an experiment that sweeps a count runs; one without a count refuses it', (t) => {
  const [three] = sweepPoints({ ...base, platforms: resolvePlatforms('native') }, parseVary(['domains=3']), 1);
  const rows = runSweepPoint(three!).results;
  t.deepEqual([...new Set(rows.filter((r) => r.metric === 'jain-fairness').map((r) => r['domains']))], [3]);
  t.is(rows.filter((r) => r.metric === 'cpu-share').length, 4, 'the weighted domains are not a count and stay');
  const [features] = sweepPoints({ ...base, experiment: 'features', platforms: resolvePlatforms('native') }, parseVary(['domains=3']), 1);
  t.throws(() => runSweepPoint(features!), { instanceOf: UsageError, message: /'features' sweeps no count of domains/ });
  t.throws(() => sweepPoints(base, parseVary(['domains=0']), 1), { instanceOf: UsageError, message: /at least 1/ });
});
