import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { server2007 } from '@visorkit/core';
import { resolvePlatforms } from '../../src/cli/resolve.js';
import { parseVary, sweepPoints } from '../../src/sweep/sweep-grid.js';
import { runSweepPoint } from '../../src/sweep/sweep-point.js';
import { queueExecutor } from '../../src/sweep/queue-executor.js';
import { runSweep } from '../../src/sweep/run-sweep.js';
import { root } from '../cli/run-cli.js';
import { startRedis, type TestRedis } from './redis-server.js';

const main = join(root, 'lab/dist/src/main.js');

/** Runs the CLI asynchronously (workers are other processes meanwhile). */
function cli(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main, ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

/**
 * A `visorkit worker` process; `log` holds what it has said so far. A short lock lets a killed
 * worker's point go back quickly; the default keeps a busy machine from taking live points away.
 */
function worker(url: string, lockMs = 30_000): { child: ChildProcess; log: () => string; exited: Promise<void> } {
  const child = spawn(process.execPath, [main, 'worker', '--queue', url, '--lock-ms', String(lockMs)], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  return { child, log: () => log, exited: new Promise((r) => child.once('exit', () => r())) };
}

async function until(what: string, ok: () => boolean, ms = 240_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let redis: TestRedis;
test.before(async () => {
  redis = await startRedis();
});
test.after.always(async () => {
  await redis?.stop();
});

test.serial('a sweep through Redis with two workers prints the very bytes of the same sweep run locally', async (t) => {
  const workers = [worker(redis.url), worker(redis.url)];
  try {
    await until('the workers to connect', () => workers.every((w) => w.log().includes('serving')), 60_000);
    const args = ['sweep', 'cpu-share', '--profile', 'server-2007', '--platforms', 'native,xen-pv', '--seeds', '3', '--json'];
    const queued = await cli(...args, '--queue', redis.url);
    t.is(queued.status, 0, queued.stderr);
    const local = await cli(...args);
    t.is(local.status, 0, local.stderr);
    t.is(queued.stdout, local.stdout);
    const served = workers.map((w) => (w.log().match(/: point /g) ?? []).length);
    t.is(served[0]! + served[1]!, 3, `each of the 3 points ran once: ${served.join(' + ')}`);
  } finally {
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
  }
});

test.serial('a worker killed mid-point loses nothing: the point is run by another, and progress counts every point', async (t) => {
  const points = sweepPoints(
    { experiment: 'cpu-share', profile: server2007, platforms: resolvePlatforms('xen-pv'), domains: [] },
    parseVary(['xen-pv.batchSize=16,32']),
    1,
  );
  const first = worker(redis.url, 2000);
  let second: ReturnType<typeof worker> | undefined;
  const executor = await queueExecutor(redis.url);
  try {
    await until('the first worker to connect', () => first.log().includes('serving'), 60_000);
    const progress: number[] = [];
    const sweep = runSweep(points, executor, { progress: (done) => progress.push(done) });
    await until('the first worker to start a point', () => /: point \w+: cpu-share/.test(first.log()));
    first.child.kill('SIGKILL');
    await first.exited;
    const killedPoint = /: point (\w+): cpu-share/.exec(first.log())![1]!;
    second = worker(redis.url, 2000);
    const results = await sweep;
    t.deepEqual(results, points.map(runSweepPoint));
    t.deepEqual(progress, [0, 1, 2]);
    t.regex(second.log(), new RegExp(`point ${killedPoint}: `), 'the abandoned point was run by the second worker');
  } finally {
    await executor.close();
    first.child.kill('SIGKILL');
    second?.child.kill('SIGTERM');
    await Promise.all([first.exited, second?.exited]);
  }
});
