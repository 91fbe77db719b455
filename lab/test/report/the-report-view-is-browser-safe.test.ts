import test from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const view = join(fileURLToPath(import.meta.url), '../../../src/report/view');

test('the report view imports no Node built-in and nothing Node-only, so the playground can draw with it', (t) => {
  const offenders: string[] = [];
  for (const f of readdirSync(view).filter((f) => f.endsWith('.js'))) {
    for (const [, spec] of readFileSync(join(view, f), 'utf8').matchAll(/from ['"]([^'"]+)['"]/g)) {
      if (!(spec!.startsWith('./') || spec === '@visorkit/workloads')) offenders.push(`${f}: ${spec}`);
    }
  }
  t.deepEqual(offenders, []);
});

test('@visorkit/lab/browser reaches only the registries, the workspace declaration and the view, which import only browser-safe packages', (t) => {
  const src = join(view, '../..');
  const offenders: string[] = [];
  const entry = readFileSync(join(src, 'browser.js'), 'utf8');
  const local = [...entry.matchAll(/from ['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  t.deepEqual(local.sort(), [
    './examples/workspace-declaration.js',
    './experiments/experiment-registry.js',
    './platforms/platform-registry.js',
    './report/view/index.js',
  ]);
  for (const f of local.filter((f) => !f.includes('/view/'))) {
    for (const [, spec] of readFileSync(join(src, f), 'utf8').matchAll(/from ['"]([^'"]+)['"]/g)) {
      if (!spec!.startsWith('@visorkit/') || spec === '@visorkit/lab') offenders.push(`${f}: ${spec}`);
    }
  }
  t.deepEqual(offenders, []);
});
