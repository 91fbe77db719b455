import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { InvalidArgumentError as CommanderArgumentError } from 'commander';
import type { ResultRow } from '@visorkit/workloads';
import { progressBar } from '../cli/progress.js';
import { resolveRun } from '../cli/resolve.js';
import { UsageError } from '../cli/usage-error.js';
import { collectDomainFile, domainRunOptions } from '../inputs/domain-options.js';
import { parseVary, sweepPoints, type SweepAxis } from './sweep-grid.js';
import { aggregateSweep } from './sweep-stats.js';
import { SweepStore } from './sweep-store.js';
import { localExecutor, runSweep, type SweepExecutor } from './run-sweep.js';

/** The document `sweep --json` prints (and `--out` keeps as sweep.json). */
export interface SweepDocument {
  readonly experiment: string;
  readonly composition: string;
  readonly profile: string;
  /** Seeds 1…N of every grid point. */
  readonly seeds: number;
  /** The `--vary` axes and their values. */
  readonly vary: Readonly<Record<string, readonly (string | number | boolean)[]>>;
  readonly points: number;
  /** One row per grid point and row identity: mean over seeds, 95% interval, the axes' values. */
  readonly results: readonly ResultRow[];
}

/** Options of a sweep as the command line gives them. */
export interface SweepOptions {
  readonly profile?: string;
  readonly platforms?: string;
  readonly vary?: readonly string[];
  readonly seeds: number;
  readonly out?: string;
  readonly json?: boolean;
  readonly domain?: readonly string[];
  readonly queue?: string;
}

/** Makes the executor for `--queue URL` (BullMQ); set by the queue module so the local path needs no Redis client. */
export type QueueExecutorFactory = (url: string) => Promise<SweepExecutor & { close(): Promise<void> }>;

function parseSeeds(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 1000)
    throw new CommanderArgumentError(`'${value}' is not a seed count: expected an integer from 1 to 1000`);
  return Number(value);
}

function collectVary(spec: string, previous: string[] = []): string[] {
  return [...previous, spec];
}

/** Runs a sweep as the CLI does and returns its document. */
export async function sweep(target: string, o: SweepOptions, queueExecutor?: QueueExecutorFactory): Promise<SweepDocument> {
  if (target.includes(':')) throw new UsageError(`sweep runs a generic experiment with --profile and --platforms, not an example's ('${target}')`);
  const plan = resolveRun(target, o.profile, o.platforms);
  const inputs = await domainRunOptions(o.domain);
  const axes: SweepAxis[] = parseVary(o.vary ?? []);
  const points = sweepPoints(
    { experiment: plan.experiment.id, profile: plan.profile, platforms: plan.platforms, domains: inputs.domains ?? [] },
    axes,
    o.seeds,
  );
  const bar = progressBar(`sweep ${plan.experiment.id}`);
  const executor = o.queue !== undefined ? await queueExecutor!(o.queue) : undefined;
  let results;
  try {
    results = await runSweep(points, executor ?? localExecutor, { ...(o.out !== undefined ? { store: new SweepStore(o.out) } : {}), progress: bar.update });
  } finally {
    bar.stop();
    await executor?.close();
  }
  const doc: SweepDocument = {
    experiment: plan.experiment.id,
    composition: plan.composition,
    profile: plan.profile.name,
    seeds: o.seeds,
    vary: Object.fromEntries(axes.map((a) => [a.key, a.values])),
    points: points.length,
    results: aggregateSweep(points, results),
  };
  if (o.out !== undefined) {
    await mkdir(o.out, { recursive: true });
    await writeFile(join(o.out, 'sweep.json'), JSON.stringify(doc, null, 2) + '\n');
  }
  return doc;
}

const fmt = (x: unknown): string => (typeof x === 'number' ? (Number.isInteger(x) ? String(x) : x.toPrecision(4)) : String(x));

/** The sweep as a table: one line per row, mean ± half the 95% interval. */
export function sweepTable(doc: SweepDocument): string {
  const keys = [
    ...new Set(
      doc.results.flatMap((r) =>
        Object.keys(r).filter(
          (k) => !['platform', 'metric', 'value', 'unit', 'counts', 'ci95Low', 'ci95High', 'seeds'].includes(k) && (typeof r[k] !== 'object' || r[k] === null),
        ),
      ),
    ),
  ];
  const table = new Table({
    head: ['platform', 'metric', ...keys, 'mean', '± 95% CI', 'unit'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const r of doc.results) {
    const half = typeof r['ci95High'] === 'number' ? r['ci95High'] - r.value : undefined;
    table.push([r.platform, r.metric, ...keys.map((k) => (r[k] === undefined ? '' : fmt(r[k]))), fmt(r.value), half === undefined ? '—' : fmt(half), r.unit]);
  }
  return `${doc.experiment} sweep — ${doc.composition} on ${doc.profile}, ${doc.points} points (${doc.seeds} seed${doc.seeds > 1 ? 's' : ''} each)\n${table.toString()}`;
}

/** Adds `visorkit sweep`. */
export function registerSweepCommand(program: Command, queueExecutor: QueueExecutorFactory): void {
  program
    .command('sweep')
    .description('run an experiment over a grid (profile fields, plugin options, domain sizes) and seeds: mean and 95% CI per point')
    .argument('<experiment>', 'experiment id')
    .option('--profile <name|file>', 'machine profile: a bundled name or a JSON/YAML file')
    .option('--platforms <list>', 'comma-separated platforms')
    .option('--vary <key=v1,v2,…>', 'an axis: profile.<field>, <plugin>.<option>, domain.<field> or domains (repeatable)', collectVary)
    .option('--seeds <n>', 'seeds 1…N of every grid point', parseSeeds, 1)
    .option('--domain <file>', 'a libvirt domain XML or xl.cfg file shaping the next domain the experiment creates (repeatable)', collectDomainFile)
    .option('--out <dir>', 'keep finished points in DIR (a rerun does only what is missing) and write DIR/sweep.json')
    .option('--queue <url>', 'put the points on a BullMQ queue in Redis (redis://HOST:PORT) for `visorkit worker`s to run')
    .option('--json', 'print one JSON document on stdout')
    .action(async (target: string, o: SweepOptions) => {
      const doc = await sweep(target, o, queueExecutor);
      process.stdout.write(o.json ? JSON.stringify(doc, null, 2) + '\n' : sweepTable(doc) + '\n');
    });
}
