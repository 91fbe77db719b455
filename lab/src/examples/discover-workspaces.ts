import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ExampleDefinition, Experiment, PlatformSpec } from '@visorkit/workloads';
import { contributionOf, declaresVisorkit, WorkspaceDeclarationError, type WorkspaceContribution } from './workspace-declaration.js';

/**
 * What {@link discoverWorkspaces} found: every declaring package's contribution, merged in
 * discovery order, and the packages it came from.
 *
 * @public
 */
export interface DiscoveredWorkspaces extends WorkspaceContribution {
  /** The declaring packages, in the order their contributions were merged. */
  readonly packages: readonly string[];
}

type Manifest = Readonly<Record<string, unknown>>;

function isRecord(x: unknown): x is Readonly<Record<string, unknown>> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function readManifest(dir: string): Manifest | undefined {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  return isRecord(parsed) ? parsed : undefined;
}

function strings(x: unknown): string[] {
  return Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : [];
}

/** The folders a root's `workspaces` globs name (`dir` or `parent/*`), as npm and ava.config.mjs read them. */
function workspaceFolders(root: string, patterns: readonly string[]): string[] {
  return patterns.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return existsSync(join(root, pattern, 'package.json')) ? [join(root, pattern)] : [];
    const parent = join(root, pattern.slice(0, -2));
    if (!existsSync(parent)) return [];
    return readdirSync(parent, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(parent, d.name, 'package.json')))
      .map((d) => d.name)
      .sort()
      .map((name) => join(parent, name));
  });
}

/** The nearest folder at or above `start` whose package.json lists workspaces. */
function enclosingWorkspaceRoot(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const workspaces = readManifest(dir)?.workspaces;
    if (Array.isArray(workspaces)) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Where Node would find package `name` from `from` (node_modules folders upwards). */
function installedPackage(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The file a package's `.` export (or `main`) imports. */
function entryPoint(dir: string, m: Manifest): string {
  const pick = (e: unknown): string | undefined => {
    if (typeof e === 'string') return e;
    if (!isRecord(e)) return undefined;
    return pick(e['.'] ?? e.import ?? e.default);
  };
  return resolve(dir, pick(m.exports) ?? pick(m.main) ?? 'index.js');
}

const LAB_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/**
 * Finds the packages that declare a `visorkit` field ({@link WorkspaceDeclaration}) and
 * imports what they name: first the workspaces of the monorepo enclosing `from` (by its root
 * package.json's `workspaces` globs, sorted within each glob), then lab's own dependencies
 * (how an installed CLI finds the bundled examples). A package found both ways counts once.
 *
 * @param from where to look for an enclosing monorepo; defaults to lab's own folder
 * @throws WorkspaceDeclarationError when a declaration is malformed or its entry point fails to load
 * @public
 */
export async function discoverWorkspaces(from: string = LAB_DIR): Promise<DiscoveredWorkspaces> {
  const candidates: string[] = [];
  const root = enclosingWorkspaceRoot(from);
  if (root !== undefined) candidates.push(...workspaceFolders(root, strings(readManifest(root)!.workspaces)));
  const labDeps = readManifest(LAB_DIR)?.dependencies;
  for (const dep of isRecord(labDeps) ? Object.keys(labDeps) : []) {
    const dir = installedPackage(dep, LAB_DIR);
    if (dir !== undefined) candidates.push(dir);
  }
  const seen = new Set<string>();
  const packages: string[] = [];
  const examples: ExampleDefinition[] = [];
  const platforms: PlatformSpec[] = [];
  const experiments: Experiment[] = [];
  for (const dir of candidates) {
    const m = readManifest(dir);
    if (m === undefined || !declaresVisorkit(m)) continue;
    const name = typeof m.name === 'string' ? m.name : dir;
    if (seen.has(name)) continue;
    seen.add(name);
    const entry = entryPoint(dir, m);
    let mod: unknown;
    try {
      mod = await import(pathToFileURL(entry).href);
    } catch (e) {
      throw new WorkspaceDeclarationError(
        name,
        `its entry point ${entry} failed to load (built? run npx tsc -b): ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const c = contributionOf(name, m.visorkit, isRecord(mod) ? mod : {});
    const clash = (what: string, taken: readonly string[], added: readonly string[]): void => {
      const dup = added.find((n) => taken.includes(n));
      if (dup !== undefined) throw new WorkspaceDeclarationError(name, `adds ${what} '${dup}', but another workspace already did; rename one`);
    };
    clash(
      'example',
      examples.map((e) => e.name),
      c.examples.map((e) => e.name),
    );
    clash(
      'platform',
      platforms.map((p) => p.name),
      c.platforms.map((p) => p.name),
    );
    clash(
      'experiment',
      experiments.map((e) => e.id),
      c.experiments.map((e) => e.id),
    );
    packages.push(name);
    examples.push(...c.examples);
    platforms.push(...c.platforms);
    experiments.push(...c.experiments);
  }
  return { packages, examples, platforms, experiments };
}
