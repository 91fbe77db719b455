import test from 'ava';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { INSTALL_FLAGS, installedVersion, packAll, publishable, root, run, type Packed } from './pack-workspaces.js';

// What an outside author does: install the published packages (here, their tarballs) into a
// project of their own that has only registry dependencies, build a plugin there with
// TypeScript (strict, library types checked) and run it. A file, export, type or dependency
// missing from a package fails here, not on an author's machine.

let tmp = '';
let packed: Packed[] = [];

test.before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'visorkit-outside-'));
  packed = await packAll(join(tmp, 'packages'));
});

test.after.always(async () => {
  if (tmp !== '') await rm(tmp, { recursive: true, force: true });
});

test('every publishable manifest says what it is, what it exports and where it comes from', (t) => {
  const names = new Set(publishable().map((w) => w.manifest.name));
  for (const { dir, manifest: m } of publishable()) {
    t.truthy(m.description, `${dir}: description`);
    t.true((m.keywords ?? []).includes('visorkit'), `${dir}: keywords`);
    t.is(m.license, 'MIT', `${dir}: license`);
    t.is(m.repository?.directory, dir, `${dir}: repository.directory`);
    t.is(m.publishConfig?.access, 'public', `${dir}: publishConfig.access`);
    t.deepEqual(m.exports?.['.'], { types: './dist/src/index.d.ts', import: './dist/src/index.js' }, `${dir}: exports`);
    // The README is the npm page: it must stand alone (no links into the repository tree).
    const readme = existsSync(join(root, dir, 'README.md')) ? readFileSync(join(root, dir, 'README.md'), 'utf8') : '';
    t.true(readme.includes(`npm install ${m.name}`) || readme.includes(`npm install --save-dev ${m.name}`), `${dir}: README shows how to install it`);
    t.notRegex(readme, /\]\((\.\.\/|\.\/)/, `${dir}: README links relatively`);
    // A published package cannot depend on one that is never published.
    for (const dep of Object.keys(m.dependencies ?? {})) if (dep.startsWith('@visorkit/')) t.true(names.has(dep), `${dir} depends on unpublished ${dep}`);
  }
});

test('every publishable package packs its README, entry point and types, and no tests', (t) => {
  t.is(packed.length, publishable().length);
  for (const p of packed) {
    for (const f of ['package.json', 'README.md', 'dist/src/index.js', 'dist/src/index.d.ts']) t.true(p.files.includes(f), `${p.name} packs ${f}`);
    t.false(
      p.files.some((f) => f.includes('/test/') || f.endsWith('.tsbuildinfo')),
      `${p.name} packs no tests or build info`,
    );
  }
});

test('the packed packages install into an outside project, build under strict TypeScript, and run a plugin through compose, micro and the kit', async (t) => {
  const project = join(tmp, 'project');
  await cp(join(root, 'lab/fixtures/outside-plugin'), project, { recursive: true });
  await writeFile(join(project, 'package.json'), JSON.stringify(outsideManifest(packed), null, 2));
  await run('npm', ['install', ...INSTALL_FLAGS], { cwd: project, maxBuffer: 64 << 20 });

  const tsc = join(root, 'node_modules/.bin/tsc');
  await t.notThrowsAsync(run(tsc, ['-p', '.'], { cwd: project }), 'the outside plugin builds against the installed types');
  const tests = await run(process.execPath, ['--test', '--test-reporter=tap', 'dist/test/'], { cwd: project, maxBuffer: 64 << 20 }).catch(
    (e: { stdout?: string; message?: string }) => ({ stdout: e.stdout ?? e.message ?? '' }),
  );
  t.regex(tests.stdout, /# fail 0/, tests.stdout);
  t.regex(tests.stdout, /# pass [1-9]/);

  // The CLI installs with its examples and runs from the package's bin.
  const list = await run(join(project, 'node_modules/.bin/visorkit'), ['list'], { cwd: project });
  t.regex(list.stdout, /third-party-plugin/);
});

test('`visorkit new plugin` in an empty folder with the packed packages writes a project whose npm install && npm test pass', async (t) => {
  const folder = join(tmp, 'empty');
  await cp(join(tmp, 'packages'), folder, { recursive: true });
  const made = await run(process.execPath, [join(root, 'lab/dist/src/main.js'), 'new', 'plugin', 'demo'], { cwd: folder });
  t.regex(made.stdout, /Wrote demo \(standalone\)/);
  const project = join(folder, 'demo');
  const manifest = JSON.parse(await readFile(join(project, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  t.is(manifest.dependencies['@visorkit/core'], `file:../${basename(packed.find((p) => p.name === '@visorkit/core')!.tarball)}`);
  await run('npm', ['install', ...INSTALL_FLAGS], { cwd: project, maxBuffer: 64 << 20 });
  const tests = await run('npm', ['test', '--', '--tap'], { cwd: project, maxBuffer: 64 << 20 }).catch(
    (e: { stdout?: string; stderr?: string; message?: string }) => ({ stdout: `${e.stdout ?? ''}${e.stderr ?? e.message ?? ''}` }),
  );
  t.regex(tests.stdout, /# fail 0/, tests.stdout);
  t.regex(tests.stdout, /ok \d+ - .*native \+ demo/, tests.stdout);
});

/** The outside project's package.json: the tarballs, and the peers at the versions tested here. */
function outsideManifest(packed: readonly Packed[]): object {
  const peers = ['inversify', 'reflect-metadata', 'rxjs'];
  return {
    name: 'outside-plugin',
    version: '1.0.0',
    private: true,
    type: 'module',
    dependencies: {
      ...Object.fromEntries(packed.map((p) => [p.name, `file:${p.tarball}`])),
      ...Object.fromEntries(peers.map((p) => [p, installedVersion(p)])),
    },
    devDependencies: { '@types/node': installedVersion('@types/node') },
  };
}
