import test from 'ava';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VisorkitError } from '@visorkit/core';
import { contributionOf, discoverWorkspaces, exampleRegistry, resolveRun, runExperiment, WorkspaceDeclarationError } from '../../src/index.js';

const root = join(fileURLToPath(import.meta.url), '../../../../..');

test('the bundled examples are exactly those the example workspaces declare, and lab names none of them', (t) => {
  const declared = readdirSync(join(root, 'examples'))
    .map((d) => JSON.parse(readFileSync(join(root, 'examples', d, 'package.json'), 'utf8')) as { visorkit?: { examples?: string[] } })
    .flatMap((m) => m.visorkit?.examples ?? []);
  t.true(declared.length >= 5);
  t.is(exampleRegistry.length, declared.length);
  // No hand-kept list: the registries, the CLI and the runner import no example package.
  // (The fitter uses vserver-2007's compositions on purpose: the fit set was measured there.)
  const offenders: string[] = [];
  const walk = (dir: string, deep = true): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (deep) walk(join(dir, e.name));
      } else if (e.name.endsWith('.js') && readFileSync(join(dir, e.name), 'utf8').includes("from '@visorkit/example-")) offenders.push(e.name);
    }
  };
  for (const dir of ['examples', 'cli', 'runner', 'platforms', 'experiments']) walk(join(root, 'lab/dist/src', dir));
  walk(join(root, 'lab/dist/src'), false); // main.js, index.js, browser.js

  t.deepEqual(offenders, []);
});

test("a workspace added to a monorepo is discovered: its example's experiments resolve and run without editing a list", async (t) => {
  // Inside the repository so the fixture's imports resolve through its node_modules.
  const tmp = mkdtempSync(join(root, 'lab/dist/test/examples/monorepo-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
  writeFileSync(join(tmp, 'package.json'), JSON.stringify({ name: 'fixture-monorepo', private: true, workspaces: ['examples/*'] }));
  const ws = join(tmp, 'examples/fresh');
  mkdirSync(join(ws, 'dist/src'), { recursive: true });
  writeFileSync(
    join(ws, 'package.json'),
    JSON.stringify({
      name: 'fresh-example',
      type: 'module',
      exports: { '.': { import: './dist/src/index.js' } },
      visorkit: { examples: ['fresh'], platforms: ['freshNative'] },
    }),
  );
  writeFileSync(
    join(ws, 'dist/src/index.js'),
    [
      "import { server2007 } from '@visorkit/core';",
      "import { nativePlugin } from '@visorkit/native';",
      "import { definePlatform, features } from '@visorkit/workloads';",
      "export const freshNative = definePlatform({ name: 'fresh-native', description: 'native, from a fresh workspace', isolation: 'processes', plugins: [nativePlugin] });",
      "export const fresh = { name: 'fresh', description: 'a workspace nobody listed', profile: server2007, platforms: [freshNative], experiments: [features] };",
    ].join('\n'),
  );
  // An undeclared workspace beside it contributes nothing.
  mkdirSync(join(tmp, 'examples/quiet'));
  writeFileSync(join(tmp, 'examples/quiet/package.json'), JSON.stringify({ name: 'quiet', type: 'module' }));

  const found = await discoverWorkspaces(tmp);
  t.is(found.packages[0], 'fresh-example');
  t.false(found.packages.includes('quiet'));
  t.deepEqual(
    found.platforms.map((p) => p.name),
    ['fresh-native'],
  );
  // lab's own dependencies still bring the bundled examples.
  t.deepEqual(
    found.examples.map((e) => e.name),
    ['fresh', ...exampleRegistry.map((e) => e.name)],
  );
  const plan = resolveRun('fresh:features', undefined, undefined, { ...found, experiments: [] });
  t.is(plan.composition, 'fresh');
  const result = runExperiment(plan, { seed: 1 });
  t.true(result.results.length > 0);
  t.true(result.results.every((r) => r.platform === 'fresh-native'));
});

test('a malformed declaration is refused with a typed error naming the package and the export', (t) => {
  const ex = exampleRegistry[0]!;
  const cases: [unknown, Record<string, unknown>, RegExp][] = [
    [['x'], {}, /must be an object/],
    [{ example: ['x'] }, { x: ex }, /unknown key\(s\) example/],
    [{ examples: 'x' }, { x: ex }, /must list export names/],
    [{ examples: ['missing'] }, {}, /'missing', which its entry point does not export/],
    [{ platforms: ['x'] }, { x: ex }, /export 'x' .* is not a PlatformSpec/],
    [{}, {}, /names no export/],
  ];
  for (const [field, exports, message] of cases) {
    const e = t.throws(() => contributionOf('pkg-under-test', field, exports), { instanceOf: WorkspaceDeclarationError, message });
    t.true(VisorkitError.is(e) && e.code === 'WORKSPACE_DECLARATION');
    t.regex(e!.message, /^pkg-under-test: /);
  }
});

test('a declaration contributes exactly the exports it names, in its order', (t) => {
  const pool = exampleRegistry;
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: pool.length - 1 }), { minLength: 1 }), (picks) => {
        const exports = Object.fromEntries(pool.map((e, i) => [`e${i}`, e]));
        const got = contributionOf('p', { examples: picks.map((i) => `e${i}`) }, exports);
        return got.examples.length === picks.length && got.examples.every((e, k) => e === pool[picks[k]!]) && got.platforms.length === 0;
      }),
    ),
  );
});
