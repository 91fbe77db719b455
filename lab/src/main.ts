#!/usr/bin/env node
import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { Command, CommanderError, InvalidArgumentError as CommanderArgumentError } from 'commander';
import { VisorkitError, bundledProfiles } from '@visorkit/core';
import type { ExperimentResult } from '@visorkit/workloads';
import { progressBar } from './cli/progress.js';
import { resolveRun, type RunPlan } from './cli/resolve.js';
import { collectPluginPath, loadRegistries } from './cli/outside-plugins.js';
import { UsageError } from './cli/usage-error.js';
import { registerNewCommand } from './cli/new-command.js';
import { textFidelity, textReport } from './report/text-report.js';
import { writeReport } from './report/write-report.js';
import { runExperiment } from './runner/run-experiment.js';
import { ChromeTrace } from './trace/chrome-trace.js';
import { startPlans } from './runner/start-plans.js';
import { runPlansInParallel } from './runner/parallel-runner.js';
import { availableParallelism } from 'node:os';
import { collectDomainFile, domainRunOptions, type DomainRunOptions } from './inputs/domain-options.js';
import { InputFileError } from './inputs/input-file-error.js';
import { registerSchemaCommand } from './inputs/schema-command.js';
import { registerSweepCommand } from './sweep/sweep-command.js';
import { registerWorkerCommand } from './sweep/worker-command.js';
import { registerFidelityCommands } from './fidelity/fidelity-commands.js';

function parseSeed(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 0xffffffff)
    throw new CommanderArgumentError(`'${value}' is not a seed: expected an integer from 0 to 4294967295`);
  return Number(value);
}

function parseWorkers(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 64)
    throw new CommanderArgumentError(`'${value}' is not a worker count: expected an integer from 1 to 64`);
  return Number(value);
}

async function runPlans(
  plans: readonly RunPlan[],
  opts: { seed: number; json?: boolean; out?: string; trace?: string; workers?: number; inputs?: DomainRunOptions },
): Promise<void> {
  const results: ExperimentResult[] = [];
  const trace = opts.trace !== undefined ? new ChromeTrace() : undefined;
  let pidBase = 0;
  // Independent plans go to worker threads (identical results); traces need the serial path.
  const parallel = opts.workers !== undefined && opts.workers > 1 && plans.length > 1 && trace === undefined;
  const precomputed = parallel ? await runPlansInParallel(plans, opts.seed, opts.workers) : undefined;
  for (const [i, plan] of plans.entries()) {
    if (precomputed !== undefined) {
      const result = precomputed[i]!;
      results.push(result);
      if (!opts.json && result.results.length > 0) process.stdout.write(textReport(result) + '\n\n');
      continue;
    }
    const bar = progressBar(`${plan.composition}:${plan.experiment.id}`);
    const result = runExperiment(plan, {
      seed: opts.seed,
      progress: bar.update,
      ...opts.inputs,
      ...(trace !== undefined
        ? {
            observe: (hv, platform) => {
              trace.attach(hv, `${plan.experiment.id}/${platform}`, pidBase);
              pidBase += 1000;
            },
          }
        : {}),
    });
    bar.stop();
    results.push(result);
    if (!opts.json && result.results.length > 0) process.stdout.write(textReport(result) + '\n\n');
  }
  const fidelity = opts.json ? '' : textFidelity(results);
  if (fidelity) process.stdout.write(fidelity + '\n\n');
  if (opts.json) process.stdout.write(JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + '\n');
  if (opts.out !== undefined) {
    // A plan none of whose platforms could do the experiment has nothing to report.
    await writeReport(opts.out, plans.length > 1 ? results.filter((r) => r.results.length > 0) : results);
    if (!opts.json) process.stdout.write(`Report written to ${opts.out}/index.html (and report.md, results.json, results.csv)\n`);
  }
  if (trace !== undefined && opts.trace !== undefined) {
    await writeFile(opts.trace, JSON.stringify(trace.finish()));
    if (!opts.json) process.stdout.write(`Trace written to ${opts.trace} (open it in https://ui.perfetto.dev)\n`);
  }
}

const program = new Command();
program.name('visorkit').description('Build hypervisors out of plugins, run them on simulated hardware, and measure them.').exitOverride();

program
  .command('list')
  .description('list experiments, platforms, machine profiles and examples')
  .option('--plugin <module>', 'also list the platforms, examples and experiments of an outside module (repeatable)', collectPluginPath, [])
  .action(async (o: { plugin: string[] }) => {
    const { experiments: experimentRegistry, platforms: platformRegistry, examples: exampleRegistry } = await loadRegistries(o.plugin, process.cwd());
    const lines = [
      'Experiments:',
      ...experimentRegistry.map((e) => `  ${e.id.padEnd(14)} ${e.title}`),
      'Platforms:',
      ...platformRegistry.map((p) => `  ${p.name.padEnd(14)} ${p.description}`),
      'Profiles:',
      ...bundledProfiles.map((p) => `  ${p.name.padEnd(14)} ${p.description}`),
      'Examples:',
      ...(exampleRegistry.length
        ? exampleRegistry.flatMap((e) => [
            `  ${e.name.padEnd(14)} ${e.description}`,
            `  ${''.padEnd(14)} experiments: ${e.experiments.map((x) => `${e.name}:${x.id}`).join(', ')}`,
          ])
        : ['  (none yet)']),
    ];
    process.stdout.write(lines.join('\n') + '\n');
  });

program
  .command('run')
  .description('run an experiment: `run <experiment> --profile P --platforms a,b` or `run <example>:<experiment>`')
  .argument('<target>', 'experiment id, or example:experiment')
  .option('--profile <name>', 'machine profile (ad hoc runs)')
  .option('--platforms <list>', 'comma-separated platforms (ad hoc runs)')
  .option('--seed <n>', 'seed of the run', parseSeed, 1)
  .option('--json', 'print one JSON document on stdout')
  .option('--out <dir>', 'write report.md, results.json, results.csv and charts to DIR')
  .option('--trace <file>', 'write a Chrome trace-event JSON of the run (opens in Perfetto)')
  .option(
    '--plugin <module>',
    'load an outside module adding platforms, examples or experiments (repeatable; visorkit.config.js in the working folder is read too)',
    collectPluginPath,
    [],
  )
  .option('--domain <file>', 'a libvirt domain XML or xl.cfg file shaping the next domain the experiment creates (repeatable)', collectDomainFile)
  .action(
    async (
      target: string,
      o: { profile?: string; platforms?: string; seed: number; json?: boolean; out?: string; trace?: string; plugin: string[]; domain?: string[] },
    ) => {
      const plan = resolveRun(target, o.profile, o.platforms, await loadRegistries(o.plugin, process.cwd()));
      const inputs = await domainRunOptions(o.domain);
      await runPlans([plan], {
        seed: o.seed,
        inputs,
        ...(o.json ? { json: true } : {}),
        ...(o.out !== undefined ? { out: o.out } : {}),
        ...(o.trace !== undefined ? { trace: o.trace } : {}),
      });
    },
  );

program
  .command('start')
  .description("the main job: reproduce every bundled example's experiments, print tables, write a report")
  .option('--out <dir>', 'report directory', 'report')
  .option('--seed <n>', 'seed of the runs', parseSeed, 1)
  .option('--workers <n>', 'worker threads for independent runs (1 = serial)', parseWorkers, availableParallelism())
  .option('--experiments <list>', 'only these experiments (comma-separated ids)')
  .action(async (o: { out: string; seed: number; workers: number; experiments?: string }) => {
    let plans = startPlans();
    if (o.experiments !== undefined) {
      const wanted = o.experiments.split(',').map((x) => x.trim());
      const known = new Set(plans.map((p) => p.experiment.id));
      for (const id of wanted) if (!known.has(id)) throw new UsageError(`unknown experiment '${id}' (known: ${[...known].join(', ')})`);
      plans = plans.filter((p) => wanted.includes(p.experiment.id));
    }
    await runPlans(plans, { seed: o.seed, out: o.out, workers: o.workers });
  });

registerNewCommand(program);
registerSchemaCommand(program);
registerSweepCommand(program, async (url) => (await import('./sweep/queue-executor.js')).queueExecutor(url));
registerWorkerCommand(program);
registerFidelityCommands(program);

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has printed its message; help and version are not errors.
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    if (e instanceof UsageError || e instanceof InputFileError) {
      process.stderr.write(`visorkit: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    if (VisorkitError.is(e)) {
      process.stderr.write(`visorkit: ${e.message} [${e.code}]\n`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
}

await main();
