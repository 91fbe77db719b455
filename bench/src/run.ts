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
const figures: BenchFigure[] = [];
for (const b of BENCHMARKS) {
  if (!json) process.stderr.write(`running ${b.name}: ${b.description}\n`);
  figures.push(...(await b.run()));
}
if (json) {
  process.stdout.write(JSON.stringify({ benchmarks: figures }, null, 2) + '\n');
} else {
  const width = Math.max(...figures.map((f) => f.name.length));
  for (const f of figures) process.stdout.write(`${f.name.padEnd(width)}  ${f.value.toPrecision(4).padStart(12)}  ${f.unit}\n`);
}
