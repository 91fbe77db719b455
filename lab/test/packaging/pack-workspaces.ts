import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The repository root (tests run from lab/dist/test/packaging). */
export const root = join(fileURLToPath(import.meta.url), '../../../../..');

export const run = promisify(execFile);

/** A workspace's manifest, as far as packaging reads it. */
export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly description?: string;
  readonly keywords?: readonly string[];
  readonly license?: string;
  readonly repository?: { readonly url?: string; readonly directory?: string };
  readonly types?: string;
  readonly exports?: Record<string, unknown>;
  readonly files?: readonly string[];
  readonly publishConfig?: { readonly access?: string };
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly bin?: Readonly<Record<string, string>>;
}

/** Every workspace of the root package.json (globs of the form `dir/*` expanded), with its manifest. */
export function workspaces(): { dir: string; manifest: Manifest }[] {
  const globs = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
  const dirs = globs.flatMap((g) =>
    g.endsWith('/*')
      ? readdirSync(join(root, g.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => `${g.slice(0, -2)}/${d.name}`)
      : [g],
  );
  return dirs
    .filter((d) => existsSync(join(root, d, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest }));
}

/** The workspaces that are published (not private). */
export function publishable(): { dir: string; manifest: Manifest }[] {
  return workspaces().filter((w) => w.manifest.private !== true);
}

/** One packed package: its name and the tarball's absolute path, plus the files npm put in it. */
export interface Packed {
  readonly name: string;
  readonly tarball: string;
  readonly files: readonly string[];
}

/** `npm pack`s every publishable workspace (built already) into `dest`. */
export async function packAll(dest: string): Promise<Packed[]> {
  mkdirSync(dest, { recursive: true });
  const args = ['pack', '--json', '--pack-destination', dest, ...publishable().flatMap((w) => ['-w', w.dir])];
  const { stdout } = await run('npm', args, { cwd: root, maxBuffer: 64 << 20 });
  const out = JSON.parse(stdout) as { name: string; filename: string; files: { path: string }[] }[];
  return out.map((p) => ({ name: p.name, tarball: join(dest, p.filename), files: p.files.map((f) => f.path) }));
}

/** The version of a package installed at the root (what the suite tests against). */
export function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** npm flags for installs in temporary projects: from the local cache where it can, quietly. */
export const INSTALL_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'];
