import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { breachFromJson, replayBreach } from '../../src/fuzz/run-fuzz.js';

// Every breach the fuzzer found and a fix closed, as it saved it (`npm run fuzz -- --replay
// FILE`): replayed, none may break an invariant again. The files live beside the sources
// (lab/test/fuzz/breaches), not in dist.
const dir = fileURLToPath(new URL('../../../test/fuzz/breaches/', import.meta.url));

test('every saved breach replays without breaking an invariant', async (t) => {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  t.true(files.length > 0, `no breach files in ${dir}`);
  for (const f of files) {
    const record = breachFromJson(await readFile(dir + f, 'utf8'));
    t.true(record.operations.length > 0, f);
    const breach = replayBreach(record);
    t.is(breach, undefined, `${f}: ${breach?.message}`);
  }
});
