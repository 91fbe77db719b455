import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishable, root } from '../packaging/pack-workspaces.js';

test('every publishable package has a checked-in API report, and CI checks them before the tests', (t) => {
  for (const { dir, manifest } of publishable()) {
    const report = join(root, dir, 'etc', `${manifest.name.replace(/^@[^/]+\//, '')}.api.md`);
    t.true(existsSync(report), `${dir} has no API report: run \`npm run api:update\``);
    if (existsSync(report)) t.regex(readFileSync(report, 'utf8'), new RegExp(`API Report File for "${manifest.name.replace('/', '\\/')}"`));
  }
  const ci = readFileSync(join(root, '.ci/run'), 'utf8');
  t.true(ci.indexOf('npm run api:check') >= 0 && ci.indexOf('npm run api:check') < ci.indexOf('npm test'), '.ci/run runs api:check before the tests');
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  t.regex(scripts['api:check'] ?? '', /api-report\.mjs$/);
  t.regex(scripts['api:update'] ?? '', /api-report\.mjs --update$/);
});

test("core's public boundary: every export in its report carries a release tag, and internals are marked", (t) => {
  const report = readFileSync(join(root, 'core/etc/core.api.md'), 'utf8');
  t.notRegex(report, /ae-missing-release-tag/);
  for (const name of ['EventQueue', 'RunQueue', 'checkTransition'])
    t.regex(report, new RegExp(`// @internal[^\\n]*\\n(export )?(declare )?(class|function|const|interface) ${name}\\b`), name);
});

test('the public API of every publishable package matches its report (else: npm run api:update, and commit etc/)', (t) => {
  // What `npm run api:check` runs, here too so that `npm test` before a landing catches it.
  const r = spawnSync(process.execPath, [join(root, 'scripts/api-report.mjs')], { cwd: root, encoding: 'utf8', timeout: 600_000 });
  t.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
});
