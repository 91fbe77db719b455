import test from 'ava';
import fc from 'fast-check';
import { nnls } from '../../src/fidelity/nnls.js';

const matrix = (m: number, n: number) =>
  fc.array(fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: n, maxLength: n }), { minLength: m, maxLength: m });

test('nnls meets the Karush-Kuhn-Tucker conditions: x ≥ 0, no improving direction among the zeros, a zero gradient among the rest', (t) => {
  fc.assert(
    fc.property(
      fc
        .integer({ min: 1, max: 5 })
        .chain((n) => fc.tuple(matrix(n + 3, n), fc.array(fc.double({ min: -50, max: 500, noNaN: true }), { minLength: n + 3, maxLength: n + 3 }))),
      ([a, b]) => {
        const x = nnls(a, b);
        const r = b.map((bi, i) => bi - a[i]!.reduce((s, aij, j) => s + aij * x[j]!, 0));
        const scale = Math.max(1, ...a.flat().map(Math.abs)) * Math.max(1, ...b.map(Math.abs)) * a.length;
        for (let j = 0; j < x.length; j++) {
          if (!(x[j]! >= 0)) return false;
          const w = r.reduce((s, ri, i) => s + a[i]![j]! * ri, 0);
          if (x[j]! > 0 ? Math.abs(w) > 1e-6 * scale : w > 1e-6 * scale) return false;
        }
        return true;
      },
    ),
    { numRuns: 200 },
  );
  t.pass();
});

test('nnls recovers non-negative coefficients that fit exactly', (t) => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0, max: 1000, noNaN: true }), { minLength: 3, maxLength: 3 }), (truth) => {
      const a = [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
        [1, 1, 0],
        [0, 1, 1],
        [2, 0, 1],
      ];
      const b = a.map((row) => row.reduce((s, v, j) => s + v * truth[j]!, 0));
      const x = nnls(a, b);
      return x.every((v, j) => Math.abs(v - truth[j]!) <= 1e-6 * Math.max(1, truth[j]!));
    }),
  );
  t.pass();
});

test('a coefficient the data would make negative is held at zero', (t) => {
  const x = nnls(
    [
      [1, 1],
      [1, 2],
      [1, 3],
    ],
    [3, 2, 1],
  );
  t.is(x[1], 0);
  t.true(Math.abs(x[0]! - 2) < 1e-9);
});
