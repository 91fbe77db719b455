import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root (tests run from lab/dist/test/cli). */
export const root = join(fileURLToPath(import.meta.url), '../../../../..');

/** Runs the built CLI as a user would, returning its exit code and output. */
export function visorkit(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'lab/dist/src/main.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
