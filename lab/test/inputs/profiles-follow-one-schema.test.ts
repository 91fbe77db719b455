import test from 'ava';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { bundledProfiles, server2007 } from '@visorkit/core';
import { machineProfileJsonSchema, machineProfileSchema } from '../../src/inputs/profile-schema.js';
import { parseProfileFile } from '../../src/inputs/profile-file.js';
import { InputFileError } from '../../src/inputs/input-file-error.js';
import { schemaText } from '../../src/inputs/schema-command.js';
import { root, visorkit } from '../cli/run-cli.js';

test('every bundled profile passes the schema a --profile file must pass', (t) => {
  for (const p of bundledProfiles) {
    const r = machineProfileSchema.safeParse(p);
    t.true(r.success, `${p.name}: ${r.error?.message}`);
  }
});

test('the committed JSON Schema is the one the schema exports', (t) => {
  t.is(
    readFileSync(join(root, 'lab/schema/machine-profile.schema.json'), 'utf8'),
    schemaText('profile'),
    'run `npx visorkit schema profile > lab/schema/machine-profile.schema.json`',
  );
});

test('every field of the JSON Schema states its unit in its description', (t) => {
  const walk = (node: Record<string, unknown>, path: string): void => {
    const props = node['properties'] as Record<string, Record<string, unknown>> | undefined;
    if (props === undefined) {
      t.regex(String(node['description']), /\([^)]+\)$/, `${path} has no unit`);
      return;
    }
    for (const [k, v] of Object.entries(props)) walk(v, path ? `${path}.${k}` : k);
  };
  walk(machineProfileJsonSchema(), '');
});

test('a profile file in JSON or YAML reads back to the same profile', (t) => {
  t.deepEqual(parseProfileFile('p.json', JSON.stringify({ $schema: './machine-profile.schema.json', ...server2007 }, null, 2)), server2007);
  t.deepEqual(parseProfileFile('p.yaml', stringify(server2007)), server2007);
});

test('errors name the file, the line and the path of each wrong field', (t) => {
  const json = JSON.stringify({ ...server2007, cpu: { ...server2007.cpu, clockGhz: -3 }, disk: { ...server2007.disk, rpmm: 1 } }, null, 2);
  const e = t.throws(() => parseProfileFile('my-server.json', json), { instanceOf: InputFileError });
  const clockLine = json.split('\n').findIndex((l) => l.includes('"clockGhz"')) + 1;
  t.is(e.line, clockLine);
  t.regex(e.message, /^my-server\.json:\d+: field 'cpu\.clockGhz': .*>0; field 'disk': unknown field 'rpmm'$/);
  const { tlb: _tlb, ...noTlb } = server2007;
  t.regex(t.throws(() => parseProfileFile('p.yaml', stringify(noTlb)), { instanceOf: InputFileError }).message, /^p\.yaml:1: field 'tlb': /);
  t.regex(
    t.throws(() => parseProfileFile('p.json', '{\n  "name": "x",\n  "year": 2000,,\n}'), { instanceOf: InputFileError }).message,
    /^p\.json:3: expected JSON/,
  );
});

test('run --profile takes a YAML file; a wrong one exits 2 naming the field', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'visorkit-profile-'));
  const good = join(dir, 'my-server.yaml');
  writeFileSync(good, stringify({ ...server2007, name: 'my-server', cpu: { ...server2007.cpu, cores: 1 } }));
  const r = visorkit('run', 'features', '--profile', good, '--platforms', 'native', '--json');
  t.is(r.status, 0, r.stderr);
  t.is((JSON.parse(r.stdout) as { profile: string }).profile, 'my-server');
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ ...server2007, memory: { ...server2007.memory, pageTableFormat: '5-level' } }, null, 2));
  const b = visorkit('run', 'features', '--profile', bad, '--platforms', 'native');
  t.is(b.status, 2);
  t.regex(b.stderr, /bad\.json:\d+: field 'memory\.pageTableFormat'/);
});
