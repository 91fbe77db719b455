import test from 'ava';
import fc from 'fast-check';
import { PageSet } from '../../src/mm/page-set.js';

// Pages near each other (a process's working set) and far apart (beyond 2^32), so the table
// probes past collisions, grows and is emptied between generations.
const page = fc.oneof(
  fc.integer({ min: 0, max: 300 }),
  fc.integer({ min: 0, max: 5 }).map((k) => 2 ** 32 + k * 4096),
  fc.constant(2 ** 52),
);
const op = fc.oneof(
  { weight: 60, arbitrary: fc.tuple(fc.constant('add' as const), page) },
  { weight: 30, arbitrary: fc.tuple(fc.constant('has' as const), page) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('clear' as const), fc.constant(0)) },
);

test('a page set holds what a Set would hold, and lists it in insertion order', (t) => {
  fc.assert(
    fc.property(fc.array(op, { minLength: 300, maxLength: 1500 }), (ops) => {
      const set = new PageSet();
      const model = new Set<number>();
      for (const [name, p] of ops) {
        if (name === 'add') {
          set.add(p);
          model.add(p);
        } else if (name === 'clear') {
          set.clear();
          model.clear();
        } else if (set.has(p) !== model.has(p)) return false;
        if (set.size !== model.size) return false;
      }
      t.deepEqual([...set], [...model]);
      for (const p of model) if (!set.has(p)) return false;
      return true;
    }),
    { numRuns: 200 },
  );
});
