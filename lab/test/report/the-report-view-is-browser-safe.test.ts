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
