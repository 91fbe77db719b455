import 'reflect-metadata';
import test from 'ava';
import { poweredge2650 } from '@visorkit/example-clark-2005';
import { calibrationLedger } from '../../src/fidelity/ledger.js';

test("an example's own profile is in the ledger: each of its numbers a sourced primitive", (t) => {
  const mine = calibrationLedger().filter((p) => p.name.startsWith(`${poweredge2650.name}.`));
  t.true(mine.length > 20, `${mine.length} primitives of ${poweredge2650.name}`);
  t.true(
    mine.every((p) => p.kind === 'primitive' && p.source.length > 0),
    mine
      .filter((p) => p.source.length === 0)
      .map((p) => p.name)
      .join(', '),
  );
  t.is(mine.find((p) => p.name === `${poweredge2650.name}.cpu.clockGhz`)?.value, 2);
});
