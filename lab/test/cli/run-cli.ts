import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root (tests run from lab/dist/test/cli). */
export const root = join(fileURLToPath(import.meta.url), '../../../../..');

/** What a CLI run printed and how it exited. */
export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runIn(cwd: string, args: readonly string[]): CliRun {
  const r = spawnSync(process.execPath, [join(root, 'lab/dist/src/main.js'), ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the built CLI as a user would, from the repository root; `visorkit.in(dir, …)` from another folder. */
export const visorkit = Object.assign((...args: string[]): CliRun => runIn(root, args), {
  in: (cwd: string, ...args: string[]): CliRun => runIn(cwd, args),
});
