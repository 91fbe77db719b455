import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { visorkit } from './run-cli.js';

test('list shows experiments, platforms and profiles', (t) => {
  const r = visorkit('list');
  t.is(r.status, 0);
  for (const name of ['cpu-share', 'features', 'migration', 'native', 'hvm-ept', 'xeon-2003', 'server-2007', 'modern']) t.regex(r.stdout, new RegExp(name));
});

test('run --json prints exactly one document with the documented fields', (t) => {
  const r = visorkit('run', 'cpu-share', '--profile', 'server-2007', '--platforms', 'native', '--json');
  t.is(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as Record<string, unknown> & { results: Record<string, unknown>[] };
  t.deepEqual(Object.keys(doc), ['experiment', 'composition', 'profile', 'seed', 'results']);
  t.is(doc.experiment, 'cpu-share');
  t.is(doc.profile, 'server-2007');
  t.is(doc.seed, 1);
  t.true(doc.results.length > 0);
  for (const row of doc.results) {
    for (const k of ['platform', 'metric', 'value', 'unit', 'counts']) t.true(k in row, `row lacks ${k}`);
    t.is(typeof row.value, 'number');
  }
});

test('the same seed gives the same JSON; another seed is accepted', (t) => {
  const a = visorkit('run', 'features', '--profile', 'modern', '--platforms', 'native,hvm-ept', '--json', '--seed', '7');
  const b = visorkit('run', 'features', '--profile', 'modern', '--platforms', 'native,hvm-ept', '--json', '--seed', '7');
  t.is(a.status, 0, a.stderr);
  t.is(a.stdout, b.stdout);
});

test('unknown names and bad flags exit non-zero with a message naming the value', (t) => {
  const cases: [string[], RegExp][] = [
    [['run', 'cpu-share', '--profile', 'server-2007', '--platforms', 'qemu'], /unknown platform 'qemu'.*native/],
    [['run', 'cpu-share', '--profile', 'pentium-1995', '--platforms', 'native'], /unknown profile 'pentium-1995'.*xeon-2003/],
    [['run', 'no-such-experiment', '--profile', 'modern', '--platforms', 'native'], /unknown experiment 'no-such-experiment'/],
    [['run', 'cpu-share', '--profile', 'modern', '--platforms', 'native', '--seed', 'abc'], /'abc' is not a seed/],
    [['run', 'cpu-share', '--profile', 'xeon-2003', '--platforms', 'hvm-ept'], /'hvm-ept' cannot run on profile 'xeon-2003'/],
    [['run', 'cpu-share', '--frobnicate'], /unknown option/],
    [['run', 'nowhere:micro'], /unknown example 'nowhere'/],
  ];
  for (const [args, message] of cases) {
    const r = visorkit(...args);
    t.not(r.status, 0, args.join(' '));
    t.regex(r.stderr, message, args.join(' '));
  }
});

test('--out writes index.html, report.md, results.json, results.csv and SVG charts; --trace writes a Chrome trace', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'visorkit-'));
  const trace = join(dir, 'trace.json');
  const r = visorkit('run', 'cpu-share', '--profile', 'modern', '--platforms', 'native,hvm-ept', '--out', dir, '--trace', trace);
  t.is(r.status, 0, r.stderr);
  for (const f of ['index.html', 'report.md', 'results.json', 'results.csv']) t.true(existsSync(join(dir, f)), f);
  const svgs = readdirSync(join(dir, 'charts')).filter((f) => f.endsWith('.svg'));
  t.true(svgs.length >= 1);
  t.true(readFileSync(join(dir, 'charts', svgs[0]!), 'utf8').startsWith('<svg'));
  // The page embeds the same figures inline, so it reads offline on its own.
  const page = readFileSync(join(dir, 'index.html'), 'utf8');
  t.is((page.match(/<svg /g) ?? []).length, svgs.length);
  t.regex(page, /<table class="paper">/);
  t.regex(readFileSync(join(dir, 'report.md'), 'utf8'), /Why the platforms differ/);
  const events = (JSON.parse(readFileSync(trace, 'utf8')) as { traceEvents: { ph: string }[] }).traceEvents;
  t.true(events.some((e) => e.ph === 'X'));
});

test('a sweep on worker threads gives exactly the serial results', (t) => {
  const serial = mkdtempSync(join(tmpdir(), 'visorkit-serial-'));
  const parallel = mkdtempSync(join(tmpdir(), 'visorkit-parallel-'));
  t.is(visorkit('start', '--out', serial, '--workers', '1', '--experiments', 'cpu-share,features').status, 0);
  t.is(visorkit('start', '--out', parallel, '--workers', '2', '--experiments', 'cpu-share,features').status, 0);
  t.is(readFileSync(join(serial, 'results.json'), 'utf8'), readFileSync(join(parallel, 'results.json'), 'utf8'));
});
