import test from 'ava';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/cli/usage-error.js';
import { newPackage } from '../../src/scaffold/new-package.js';
import { scaffoldNames } from '../../src/scaffold/names.js';
import { SCAFFOLD_VERSIONS } from '../../src/scaffold/scaffold-versions.js';
import { root } from './pack-workspaces.js';

/** The version every package is at (fixed versioning). */
const version = (JSON.parse(readFileSync(join(root, 'core/package.json'), 'utf8')) as { version: string }).version;

async function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'visorkit-new-'));
}

/** A copy of the repository's shape: root manifest, tsconfig and core's manifest. */
async function fakeRepository(): Promise<string> {
  const dir = await scratch();
  await writeFile(join(dir, 'package.json'), readFileSync(join(root, 'package.json')));
  await writeFile(join(dir, 'tsconfig.json'), readFileSync(join(root, 'tsconfig.json')));
  await mkdir(join(dir, 'core'));
  await writeFile(join(dir, 'core/package.json'), readFileSync(join(root, 'core/package.json')));
  return dir;
}

test('names become identifiers; anything npm or TypeScript would refuse is a usage error naming it', (t) => {
  t.deepEqual(scaffoldNames('fair-share'), { name: 'fair-share', camel: 'fairShare', pascal: 'FairShare' });
  for (const bad of ['Fair', '1x', 'a--b', 'a_b', '-a', 'a-', '']) {
    const e = t.throws(() => scaffoldNames(bad), { instanceOf: UsageError });
    t.true(e.message.includes(`'${bad}'`));
  }
});

test('the versions a standalone project asks for are the ones this repository builds and tests with', (t) => {
  const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const core = JSON.parse(readFileSync(join(root, 'core/package.json'), 'utf8')) as { peerDependencies: Record<string, string> };
  t.is<string | undefined, string | undefined>(SCAFFOLD_VERSIONS.typescript, rootPkg.devDependencies['typescript']);
  t.is<string | undefined, string | undefined>(SCAFFOLD_VERSIONS.ava, rootPkg.devDependencies['ava']);
  for (const peer of ['inversify', 'reflect-metadata', 'rxjs'] as const)
    t.is<string | undefined, string | undefined>(SCAFFOLD_VERSIONS[peer], core.peerDependencies[peer]);
});

test('inside the repository a plugin becomes a workspace under plugins/, built by the root tsconfig', async (t) => {
  const repo = await fakeRepository();
  try {
    const r = await newPackage({ kind: 'plugin', name: 'fair-share', cwd: join(repo, 'core') });
    t.is(r.mode, 'workspace');
    t.is(r.dir, join(repo, 'plugins/fair-share'));
    t.is(r.packageName, '@visorkit/fair-share');
    const pkg = JSON.parse(await readFile(join(r.dir, 'package.json'), 'utf8')) as {
      version: string;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    t.is(pkg.dependencies['@visorkit/core'], version);
    t.is(pkg.devDependencies['@visorkit/conformance'], version);
    const tsconfig = JSON.parse(await readFile(join(r.dir, 'tsconfig.json'), 'utf8')) as { extends: string; references: { path: string }[] };
    t.is(tsconfig.extends, '../../tsconfig.base.json');
    t.deepEqual(
      tsconfig.references.map((x) => x.path),
      ['../../core', '../../conformance', '../../plugins/native'],
    );
    const rootTs = JSON.parse(await readFile(join(repo, 'tsconfig.json'), 'utf8')) as { references: { path: string }[] };
    const paths = rootTs.references.map((x) => x.path);
    t.true(paths.indexOf('plugins/fair-share') >= 0 && paths.indexOf('plugins/fair-share') < paths.indexOf('lab'));
    for (const f of ['src/index.ts', 'src/fair-share-scheduler.ts', 'test/conformance.test.ts', 'README.md']) t.true(existsSync(join(r.dir, f)), f);
    const index = await readFile(join(r.dir, 'src/index.ts'), 'utf8');
    t.regex(index, /export const fairSharePlugin = definePlugin\(/);
    // Writing over it again is refused.
    await t.throwsAsync(newPackage({ kind: 'plugin', name: 'fair-share', cwd: repo }), { instanceOf: UsageError, message: /not empty/ });
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
});

test('an example inside the repository goes to examples/ and exports an ExampleDefinition too', async (t) => {
  const repo = await fakeRepository();
  try {
    const r = await newPackage({ kind: 'example', name: 'lab-day', cwd: repo });
    t.is(r.dir, join(repo, 'examples/lab-day'));
    t.is(r.packageName, '@visorkit/example-lab-day');
    const index = await readFile(join(r.dir, 'src/index.ts'), 'utf8');
    t.regex(index, /export const labDayExample: ExampleDefinition/);
    t.regex(index, /export const labDayPlugin = definePlugin\(/);
    // It declares its example, so lab discovers it without an entry in any list.
    const manifest = JSON.parse(await readFile(join(r.dir, 'package.json'), 'utf8')) as { visorkit?: unknown };
    t.deepEqual(manifest.visorkit, { examples: ['labDayExample'] });
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
});

test('outside the repository a standalone project takes the packages from tarballs when there are some, else the registry', async (t) => {
  const dir = await scratch();
  try {
    const fromRegistry = await newPackage({ kind: 'plugin', name: 'reg', cwd: dir });
    const reg = JSON.parse(await readFile(join(fromRegistry.dir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    t.is(fromRegistry.mode, 'standalone');
    t.is(reg.dependencies['@visorkit/core'], `^${version}`);
    t.is(reg.scripts['test'], 'tsc -b && ava');
    t.deepEqual(fromRegistry.next, ['cd reg', 'npm install', 'npm test']);

    await mkdir(join(dir, 'tgz'));
    await t.throwsAsync(newPackage({ kind: 'plugin', name: 'none', cwd: dir, packages: join(dir, 'tgz') }), {
      instanceOf: UsageError,
      message: /no packed @visorkit packages/,
    });
    for (const p of ['core', 'conformance']) await writeFile(join(dir, 'tgz', `visorkit-${p}-0.1.0.tgz`), '');
    await t.throwsAsync(newPackage({ kind: 'plugin', name: 'partial', cwd: dir, packages: join(dir, 'tgz') }), {
      instanceOf: UsageError,
      message: /@visorkit\/native/,
    });
    await writeFile(join(dir, 'tgz', 'visorkit-native-0.1.0.tgz'), '');
    const fromTarballs = await newPackage({ kind: 'plugin', name: 'tar', cwd: dir, packages: join(dir, 'tgz') });
    const tar = JSON.parse(await readFile(join(fromTarballs.dir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    t.is(tar.dependencies['@visorkit/core'], 'file:../tgz/visorkit-core-0.1.0.tgz');
    t.is(tar.devDependencies['@visorkit/native'], 'file:../tgz/visorkit-native-0.1.0.tgz');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
