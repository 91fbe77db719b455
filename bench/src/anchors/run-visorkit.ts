#!/usr/bin/env node
/**
 * The visorkit side of the anchor comparison (bench/anchors/run.sh runs it once per N):
 *
 *   node bench/dist/src/anchors/run-visorkit.js --n 1,2,4 [--k 4] [--task-ms 10]
 *        [--profile server-2007] [--cores 2]
 *
 * Prints one JSON object per line per N: { n, simulatedSeconds, wallSeconds, ... }.
 */
import { runVmTasks, type VmTasksOptions } from './vm-tasks.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`);
  return v;
}

function positiveNumber(name: string, text: string): number {
  const v = Number(text);
  if (!(v > 0) || !Number.isFinite(v)) throw new Error(`--${name}: expected a positive number, got '${text}'`);
  return v;
}

try {
  const ns = option('n', '1,2,4,8')
    .split(',')
    .map((s) => positiveNumber('n', s));
  const base: Omit<VmTasksOptions, 'n'> = {
    k: positiveNumber('k', option('k', '4')),
    taskMs: positiveNumber('task-ms', option('task-ms', '10')),
    profile: option('profile', 'server-2007'),
    cores: positiveNumber('cores', option('cores', '2')),
  };
  for (const n of ns) process.stdout.write(JSON.stringify(runVmTasks({ ...base, n })) + '\n');
} catch (e) {
  process.stderr.write(`run-visorkit: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
