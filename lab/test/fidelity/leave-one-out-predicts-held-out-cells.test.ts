import test from 'ava';
import { cellsShapedBy, fitParameters, leaveOneOut, predict, type LinearModel } from '../../src/fidelity/linear-model.js';

function model(published: number[]): LinearModel {
  // Three cells per parameter, two parameters, a fixed part everywhere.
  const jacobian = [
    [1, 0],
    [2, 0],
    [3, 0],
    [0, 1],
    [0, 2],
    [0, 3],
    [1, 1],
  ];
  const cells = jacobian.map((_, i) => ({ profile: 'p', platform: 'x', metric: `m${i}` }));
  return {
    cells,
    published,
    parameters: [
      { package: 'a', name: 'u' },
      { package: 'a', name: 'v' },
    ],
    base: jacobian.map(() => 10),
    jacobian,
  };
}

test('when the published figures are exactly linear in the parameters, leave-one-out predicts every cell exactly', (t) => {
  const truth = [5, 7];
  const m0 = model([]);
  const m = model(m0.jacobian.map((_, i) => predict(m0, truth, i)));
  const doc = leaveOneOut(m);
  t.is(doc.method, 'leave-one-out');
  t.is(doc.rows.length, 7);
  t.true(doc.worstError < 1e-9, `worst ${doc.worstError}`);
  t.deepEqual(
    fitParameters(m).map((v) => Math.round(v * 1e6) / 1e6),
    truth,
  );
});

test('a held-out cell that disagrees with the rest shows as its own error, not hidden by fitting it', (t) => {
  const m0 = model([]);
  const published = m0.jacobian.map((_, i) => predict(m0, [5, 7], i));
  published[6] = published[6]! * 2; // the odd one out
  const doc = leaveOneOut(model(published));
  const odd = doc.rows.find((r) => r.metric === 'm6')!;
  t.true(odd.error > 0.4, `error ${odd.error}`);
  t.is(doc.worstError, odd.error);
  t.true(doc.medianError < odd.error);
});

test('a parameter is fitted to the cells it shapes and to no other', (t) => {
  const m0 = model([]);
  const m = model(m0.jacobian.map((_, i) => predict(m0, [5, 7], i)));
  const p = fitParameters(m);
  t.deepEqual(
    cellsShapedBy(m, p, 0).map((c) => c.metric),
    ['m0', 'm1', 'm2', 'm6'],
  );
  t.deepEqual(
    cellsShapedBy(m, p, 1).map((c) => c.metric),
    ['m3', 'm4', 'm5', 'm6'],
  );
});
