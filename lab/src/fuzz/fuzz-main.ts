#!/usr/bin/env node
/**
 * `npm run fuzz -- --plugin P --ops N [--seed S] [--json] [--out DIR] [--replay FILE]`:
 * attacker guests against a bundled plugin, isolation invariants checked after every
 * operation. Exits 1 on a breach (the shrunk sequence saved as a replayable file), 2 on bad
 * usage.
 */
import 'reflect-metadata';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { UnknownFuzzPluginError, breachFromJson, breachToJson, replayBreach, runFuzz } from './run-fuzz.js';

function positive(what: string, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) > max || (what !== 'seed' && Number(value) < 1))
      throw new InvalidArgumentError(`'${value}' is not a ${what}: expected an integer up to ${max}`);
    return Number(value);
  };
}

const program = new Command()
  .name('fuzz')
  .description('attack a bundled plugin with hostile guests and check isolation after every operation')
  .option('--plugin <name>', 'native, xen-pv, vserver or hw-assist')
  .option('--ops <n>', 'hostile operations to apply', positive('count', 1e9), 10_000)
  .option('--seed <n>', 'seed of the generated sequences and of the machines', positive('seed', 0xffffffff), 1)
  .option('--json', 'print {plugin, ops, breaches, invariantsChecked, seconds, peakRssMb}')
  .option('--out <dir>', 'where a breach is saved', 'fuzz-breaches')
  .option('--replay <file>', 'replay a saved breach instead of fuzzing')
  .exitOverride();

async function main(): Promise<void> {
  program.parse(process.argv);
  const o = program.opts<{ plugin?: string; ops: number; seed: number; json?: boolean; out: string; replay?: string }>();
  if (o.replay !== undefined) {
    const record = breachFromJson(await readFile(o.replay, 'utf8'));
    const breach = replayBreach(record);
    process.stdout.write(
      breach === undefined ? `${o.replay}: no breach (${record.operations.length} operations replayed)\n` : `${o.replay}: ${breach.message}\n`,
    );
    process.exitCode = breach === undefined ? 0 : 1;
    return;
  }
  if (o.plugin === undefined) throw new UnknownFuzzPluginError('(none: pass --plugin)');
  const tty = !o.json && process.stderr.isTTY;
  const { report, breach } = await runFuzz({
    plugin: o.plugin,
    ops: o.ops,
    seed: o.seed,
    rss: () => process.memoryUsage.rss(),
    clock: () => performance.now(),
    ...(tty ? { progress: (done: number, total: number) => process.stderr.write(`\r${o.plugin}: ${done}/${total} operations`) } : {}),
  });
  if (tty) process.stderr.write('\n');
  let saved: string | undefined;
  if (breach !== undefined) {
    await mkdir(o.out, { recursive: true });
    saved = join(o.out, `breach-${breach.plugin}-${breach.platform}-seed${breach.seed}.json`);
    await writeFile(saved, breachToJson(breach) + '\n');
  }
  if (o.json) process.stdout.write(JSON.stringify(report) + '\n');
  else {
    process.stdout.write(
      `${report.plugin}: ${report.ops} operations, ${report.invariantsChecked} invariant checks, ${report.breaches} breaches in ${report.seconds} s (peak RSS ${report.peakRssMb} MB)\n`,
    );
  }
  if (breach !== undefined) {
    process.stderr.write(
      `BREACH on ${breach.platform}: ${breach.message}\n  shortest sequence (${breach.operations.length} operations) saved to ${saved}; replay with: npm run fuzz -- --replay ${saved}\n`,
    );
    process.exitCode = 1;
  }
}

try {
  await main();
} catch (e) {
  if (e instanceof CommanderError) process.exitCode = e.exitCode === 0 ? 0 : 2;
  else if (e instanceof UnknownFuzzPluginError) {
    process.stderr.write(`fuzz: ${e.message}\n`);
    process.exitCode = 2;
  } else throw e;
}
