#!/usr/bin/env node
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchFigure, Benchmark } from './benchmark.js';
import { eventEmission } from './benchmarks/event-emission.js';
import { scaleDomains } from './benchmarks/scale-domains.js';
import { simulatorEvents } from './benchmarks/simulator-events.js';
import { translations } from './benchmarks/translations.js';
import { guestOperations } from './benchmarks/guest-operations.js';
import { containers } from './benchmarks/containers.js';
import { start } from './benchmarks/start.js';

/** Every benchmark; add one by writing a file in benchmarks/ and a line here. */
const BENCHMARKS: readonly Benchmark[] = [simulatorEvents, eventEmission, translations, guestOperations, scaleDomains, containers, start];

// `npm run bench -- --anchors [run.sh options]`: the visorkit / SimGrid / SimPy comparison instead.
const anchors = process.argv.indexOf('--anchors');
if (anchors >= 0) {
  const script = join(dirname(fileURLToPath(import.meta.url)), '../../anchors/run.sh');
  const r = spawnSync('bash', [script, ...process.argv.slice(anchors + 1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const json = process.argv.includes('--json');
// `npm run bench -- --only events-per-s,translations`: just these benchmarks (by their name),
// so a before/after comparison of one figure need not wait for `start-s`.
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '').split(',').filter((n) => n !== '') : undefined;
const unknown = only?.filter((n) => !BENCHMARKS.some((b) => b.name === n)) ?? [];
if (only !== undefined && (only.length === 0 || unknown.length > 0)) {
  process.stderr.write(`--only: unknown benchmark '${unknown.join(',')}'; one of ${BENCHMARKS.map((b) => b.name).join(', ')}\n`);
  process.exit(2);
}
const figures: BenchFigure[] = [];
for (const b of BENCHMARKS) {
  if (only !== undefined && !only.includes(b.name)) continue;
  if (!json) process.stderr.write(`running ${b.name}: ${b.description}\n`);
  figures.push(...(await b.run()));
}
if (json) {
  process.stdout.write(JSON.stringify({ benchmarks: figures }, null, 2) + '\n');
} else {
  const width = Math.max(...figures.map((f) => f.name.length));
  for (const f of figures) process.stdout.write(`${f.name.padEnd(width)}  ${f.value.toPrecision(4).padStart(12)}  ${f.unit}\n`);
}
