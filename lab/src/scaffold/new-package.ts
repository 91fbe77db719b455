import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../cli/usage-error.js';
import { scaffoldNames, type ScaffoldKind, type ScaffoldNames } from './names.js';
import { jsonAt, jsonString, readJson } from './read-json.js';
import { SCAFFOLD_VERSIONS } from './scaffold-versions.js';
import { conformanceTestSource, indexSource, readmeSource, schedulerSource } from './templates.js';

/** What `visorkit new` is asked to do. */
export interface NewPackageOptions {
  readonly kind: ScaffoldKind;
  readonly name: string;
  /** Where the command runs. */
  readonly cwd: string;
  /** Write here instead of the default (plugins/<name> or examples/<name> in the repository, ./<name> outside). */
  readonly dir?: string;
  /** A folder of packed `@visorkit/*` tarballs (`npm pack`) to take the packages from. */
  readonly packages?: string;
  /** Write a standalone project even inside the visorkit repository. */
  readonly standalone?: boolean;
}

/** What `visorkit new` wrote. */
export interface NewPackageResult {
  readonly dir: string;
  readonly packageName: string;
  readonly mode: 'workspace' | 'standalone';
  readonly files: readonly string[];
  /** The commands that build it and run its kit test. */
  readonly next: readonly string[];
}

const PEERS = ['inversify', 'reflect-metadata', 'rxjs'] as const;

/**
 * The @visorkit packages a scaffolded package builds against, and those only its tests use.
 * Together they close over their own @visorkit dependencies, so tarballs install without a registry.
 */
function visorkitDeps(kind: ScaffoldKind): { deps: string[]; dev: string[] } {
  return kind === 'plugin' ? { deps: ['core'], dev: ['conformance', 'native'] } : { deps: ['core', 'guest', 'workloads', 'native'], dev: ['conformance'] };
}

/** This CLI's own version: scaffolded packages ask for the @visorkit packages it came with. */
function labVersion(): string {
  const manifest = join(dirname(fileURLToPath(import.meta.url)), '../../../package.json');
  return jsonString(manifest, readJson(manifest), 'version');
}

/** The visorkit repository root above `cwd`, if the command runs inside one. */
export function findRepository(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = readJson(manifest);
      const workspaces = jsonAt(pkg, 'workspaces');
      if (jsonAt(pkg, 'name') === 'visorkit-monorepo' && Array.isArray(workspaces) && workspaces.includes('plugins/*')) return dir;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The tarballs in `folder`, by package (`core` → /abs/visorkit-core-0.1.0.tgz). */
function tarballs(folder: string): Map<string, string> {
  const found = new Map<string, string>();
  if (!existsSync(folder)) return found;
  for (const f of readdirSync(folder)) {
    const m = /^visorkit-(.+)-\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?\.tgz$/.exec(f);
    if (m) found.set(m[1]!, join(folder, f));
  }
  return found;
}

/** Writes a new plugin or example package; see docs/writing-a-plugin.md. */
export async function newPackage(options: NewPackageOptions): Promise<NewPackageResult> {
  const names = scaffoldNames(options.name);
  const repo = options.standalone === true ? undefined : findRepository(options.cwd);
  const folder = options.kind === 'plugin' ? 'plugins' : 'examples';
  const dir = resolve(options.cwd, options.dir ?? (repo !== undefined ? join(repo, folder, names.name) : names.name));
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new UsageError(`${dir} exists and is not empty: choose another name or --dir`);
  const inRepo = repo !== undefined && relative(repo, dir) === join(folder, names.name);
  if (repo !== undefined && !inRepo)
    throw new UsageError(`inside the repository a ${options.kind} goes to ${folder}/${names.name}; pass --standalone to write a project of its own elsewhere`);

  const files = inRepo
    ? workspaceFiles(options.kind, names, repo)
    : standaloneFiles(options.kind, names, dir, options.packages ?? options.cwd, options.packages !== undefined);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files.files)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), text);
  }
  if (inRepo) await addReference(repo, `${folder}/${names.name}`);
  const rel = relative(options.cwd, dir) || '.';
  return {
    dir,
    packageName: files.packageName,
    mode: inRepo ? 'workspace' : 'standalone',
    files: Object.keys(files.files),
    next: inRepo ? ['npm install', 'npm test'] : [`cd ${rel}`, 'npm install', 'npm test'],
  };
}

interface Files {
  readonly packageName: string;
  readonly files: Record<string, string>;
}

function sources(kind: ScaffoldKind, n: ScaffoldNames, packageName: string, inRepo: boolean): Record<string, string> {
  return {
    [`src/${n.name}-scheduler.ts`]: schedulerSource(n),
    'src/index.ts': indexSource(kind, n),
    'test/conformance.test.ts': conformanceTestSource(n),
    'README.md': readmeSource(kind, n, packageName, inRepo),
  };
}

const json = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';

/** A workspace of the repository, shaped like the bundled packages (the root builds and tests it). */
function workspaceFiles(kind: ScaffoldKind, n: ScaffoldNames, repo: string): Files {
  // Fixed versioning: every package is at core's version (the root manifest is not released).
  const coreManifest = join(repo, 'core/package.json');
  const core = readJson(coreManifest);
  const version = jsonString(coreManifest, core, 'version');
  const folder = kind === 'plugin' ? 'plugins' : 'examples';
  const packageName = kind === 'plugin' ? `@visorkit/${n.name}` : `@visorkit/example-${n.name}`;
  const { deps, dev } = visorkitDeps(kind);
  const pin = (p: string): string => jsonString(coreManifest, core, 'devDependencies', p);
  const dirOf = (p: string): string => (['core', 'guest', 'workloads', 'conformance'].includes(p) ? `../../${p}` : `../../plugins/${p}`);
  const manifest = {
    name: packageName,
    version,
    description:
      kind === 'plugin' ? `The ${n.name} vCPU scheduler as a visorkit plugin.` : `The ${n.name} scheduler against native's CFS, as a visorkit example.`,
    keywords: ['visorkit', 'hypervisor', 'virtualization', kind, 'scheduler'],
    homepage: `https://github.com/visorkit/visorkit/tree/main/${folder}/${n.name}#readme`,
    bugs: { url: 'https://github.com/visorkit/visorkit/issues' },
    repository: { type: 'git', url: 'git+https://github.com/visorkit/visorkit.git', directory: `${folder}/${n.name}` },
    license: 'MIT',
    type: 'module',
    engines: { node: '>=20.19' },
    types: './dist/src/index.d.ts',
    // lab discovers the workspaces that declare what they add (lab/src/examples/discover-workspaces.ts).
    ...(kind === 'example' ? { visorkit: { examples: [`${n.camel}Example`] } } : {}),
    exports: { '.': { types: './dist/src/index.d.ts', import: './dist/src/index.js' }, './package.json': './package.json' },
    files: ['dist/src', 'src', 'CHANGELOG.md'],
    publishConfig: { access: 'public' },
    dependencies: Object.fromEntries(deps.map((p) => [`@visorkit/${p}`, version])),
    peerDependencies: Object.fromEntries(PEERS.map((p) => [p, SCAFFOLD_VERSIONS[p]])),
    devDependencies: { ...Object.fromEntries(PEERS.map((p) => [p, pin(p)])), ...Object.fromEntries(dev.map((p) => [`@visorkit/${p}`, version])) },
  };
  const tsconfig = {
    extends: '../../tsconfig.base.json',
    compilerOptions: { rootDir: '.', outDir: 'dist' },
    include: ['src', 'test'],
    references: [...deps, ...dev].map((p) => ({ path: dirOf(p) })),
  };
  return { packageName, files: { 'package.json': json(manifest), 'tsconfig.json': json(tsconfig), ...sources(kind, n, packageName, true) } };
}

/** A project of its own: @visorkit packages from tarballs in `packages` (when there are any) or the registry. */
function standaloneFiles(kind: ScaffoldKind, n: ScaffoldNames, dir: string, packages: string, required: boolean): Files {
  const version = labVersion();
  const { deps, dev } = visorkitDeps(kind);
  const found = tarballs(resolve(packages));
  if (required && found.size === 0) throw new UsageError(`no packed @visorkit packages (visorkit-*.tgz) in ${packages}: run \`npm pack\` for them there first`);
  const spec = (p: string): string => {
    const tgz = found.get(p);
    if (tgz !== undefined) return `file:${relative(dir, tgz)}`;
    if (found.size > 0) throw new UsageError(`${packages} has packed @visorkit packages but not @visorkit/${p}: pack it too`);
    return `^${version}`;
  };
  const manifest = {
    name: n.name,
    version: '0.1.0',
    description: `The ${n.name} vCPU scheduler as a visorkit ${kind}.`,
    keywords: ['visorkit', 'visorkit-plugin', 'hypervisor', 'scheduler'],
    license: 'MIT',
    type: 'module',
    engines: { node: '>=20.19' },
    types: './dist/src/index.d.ts',
    exports: { '.': { types: './dist/src/index.d.ts', import: './dist/src/index.js' } },
    files: ['dist/src', 'src'],
    scripts: { build: 'tsc -b', test: 'tsc -b && ava' },
    ava: { files: ['dist/test/**/*.test.js'], timeout: '120s' },
    dependencies: Object.fromEntries(deps.map((p) => [`@visorkit/${p}`, spec(p)])),
    peerDependencies: Object.fromEntries(PEERS.map((p) => [p, SCAFFOLD_VERSIONS[p]])),
    devDependencies: {
      ...Object.fromEntries(dev.map((p) => [`@visorkit/${p}`, spec(p)])),
      ...Object.fromEntries(PEERS.map((p) => [p, SCAFFOLD_VERSIONS[p]])),
      ava: SCAFFOLD_VERSIONS.ava,
      typescript: SCAFFOLD_VERSIONS.typescript,
    },
  };
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      verbatimModuleSyntax: true,
      noUncheckedIndexedAccess: true,
      declaration: true,
      sourceMap: true,
      skipLibCheck: true,
      types: [],
      rootDir: '.',
      outDir: 'dist',
    },
    include: ['src', 'test'],
  };
  return {
    packageName: n.name,
    files: { 'package.json': json(manifest), 'tsconfig.json': json(tsconfig), '.gitignore': 'node_modules/\ndist/\n', ...sources(kind, n, n.name, false) },
  };
}

/** Adds the new workspace to the root tsconfig's references, so `tsc -b` builds it. */
async function addReference(repo: string, path: string): Promise<void> {
  const file = join(repo, 'tsconfig.json');
  const tsconfig = readJson(file);
  if (typeof tsconfig !== 'object' || tsconfig === null) throw new UsageError(`${file} is not a tsconfig object`);
  const listed = jsonAt(tsconfig, 'references');
  const refs: unknown[] = Array.isArray(listed) ? [...listed] : [];
  if (refs.some((r) => jsonAt(r, 'path') === path)) return;
  // Before lab, which may come to depend on it.
  const at = refs.findIndex((r) => jsonAt(r, 'path') === 'lab');
  refs.splice(at < 0 ? refs.length : at, 0, { path });
  await writeFile(file, json({ ...tsconfig, references: refs }));
}
