import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { root, visorkit } from './run-cli.js';

const FIXTURE = 'lab/dist/test/fixtures/strict-priority-plugin.js';

interface Doc {
  readonly composition: string;
  readonly results: { platform: string; metric: string; value: number; weight?: number }[];
}

function shares(doc: Doc, platform: string): number[] {
  return doc.results.filter((r) => r.platform === platform && r.metric === 'cpu-share').map((r) => r.value);
}

test("--plugin adds an outside module's platforms to ad hoc runs; listed before its base, its plugin still composes", (t) => {
  const r = visorkit('run', 'cpu-share', '--profile', 'server-2007', '--platforms', 'native,native+priority', '--plugin', `./${FIXTURE}`, '--json');
  t.is(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as Doc;
  t.is(doc.composition, 'native,native+priority');
  const cfs = shares(doc, 'native');
  const priority = shares(doc, 'native+priority');
  t.is(priority.length, 4);
  // CFS splits by weight; strict priority gives (nearly) everything to the heaviest domain.
  t.true(cfs[3]! < 0.6, `CFS heaviest share ${cfs[3]}`);
  t.true(priority[3]! > 0.95, `strict-priority heaviest share ${priority[3]}`);
});

test("--plugin adds an outside module's examples and list shows them", (t) => {
  const list = visorkit('list', '--plugin', FIXTURE);
  t.is(list.status, 0, list.stderr);
  t.regex(list.stdout, /native\+priority/);
  t.regex(list.stdout, /priority:cpu-share/);
  const run = visorkit('run', 'priority:cpu-share', '--plugin', FIXTURE, '--json');
  t.is(run.status, 0, run.stderr);
  t.deepEqual([...new Set((JSON.parse(run.stdout) as Doc).results.map((r) => r.platform))], ['native', 'native+priority']);
});

test('a visorkit.config.js in the working folder adds its modules without a flag', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'visorkit-config-'));
  writeFileSync(join(dir, 'visorkit.config.js'), `export default { plugins: [${JSON.stringify(join(root, FIXTURE))}] };\n`);
  const r = visorkit.in(dir, 'list');
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /native\+priority/);
  // A config may also give platforms itself, importing what it needs.
  const dir2 = mkdtempSync(join(tmpdir(), 'visorkit-config-'));
  writeFileSync(
    join(dir2, 'visorkit.config.js'),
    `import { platforms } from ${JSON.stringify(pathToFileURL(join(root, FIXTURE)).href)};\nexport default { platforms: platforms.map((p) => ({ ...p, name: 'mine' })) };\n`,
  );
  t.regex(visorkit.in(dir2, 'list').stdout, /mine/);
});

test('bad outside modules are refused with a message naming them', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'visorkit-bad-'));
  writeFileSync(join(dir, 'empty.js'), 'export const nothing = 1;\n');
  writeFileSync(
    join(dir, 'clash.js'),
    `import { platforms } from ${JSON.stringify(pathToFileURL(join(root, FIXTURE)).href)};\nexport const platforms2 = 0; export default { platforms: platforms.map((p) => ({ ...p, name: 'native' })) };\n`,
  );
  writeFileSync(join(dir, 'broken.js'), 'export default { platforms: [{ name: 42 }] };\n');
  const cases: [string[], RegExp][] = [
    [['list', '--plugin', './nowhere.js'], /plugin module '\.\/nowhere\.js' not found/],
    [['list', '--plugin', './empty.js'], /'\.\/empty\.js' contributes nothing: export platforms, examples or experiments/],
    [['list', '--plugin', './clash.js'], /adds platform 'native', but one of that name is already known/],
    [['list', '--plugin', './broken.js'], /every platform needs a name and compose\(\)/],
  ];
  for (const [args, message] of cases) {
    const r = visorkit.in(dir, ...args);
    t.is(r.status, 2, args.join(' '));
    t.regex(r.stderr, message, args.join(' '));
  }
});

test('a guest program that throws shows up as a crash in the --json document, with its platform, program and reason', (t) => {
  const r = visorkit(
    'run',
    'crashing-guest',
    '--profile',
    'server-2007',
    '--platforms',
    'native,xen-pv',
    '--plugin',
    './lab/dist/test/fixtures/crashing-guest-experiment.js',
    '--json',
  );
  t.is(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { results: { platform: string; counts: Record<string, number> }[]; crashes?: Record<string, unknown>[] };
  t.deepEqual(
    doc.crashes?.map((c) => [c.platform, c.domain, c.pid, c.program, c.reason, c.detail]),
    [
      ['native', 'buggy', 2, '/bin/buggy', 'exception', 'TypeError: no entry 3 in an empty table'],
      ['xen-pv', 'buggy', 2, '/bin/buggy', 'exception', 'TypeError: no entry 3 in an empty table'],
    ],
  );
  for (const row of doc.results) t.is(row.counts['process-crash'], 1, row.platform);
});
