import 'reflect-metadata';
import test from 'ava';
import { fittedSlots, measureLinearModel } from '../../src/fidelity/fit-runs.js';
import { fitParameters, leaveOneOut } from '../../src/fidelity/linear-model.js';

// One measured model (a run per cell at the current values, and one per fitted parameter).
const model = measureLinearModel(1);

test("leave-one-out over the seed's 21 cells: median error at most 20%, no cell worse than 50%", (t) => {
  const doc = leaveOneOut(model);
  t.is(doc.rows.length, 21);
  const worst = doc.rows.reduce((a, b) => (b.error > a.error ? b : a));
  t.true(doc.medianError <= 0.2, `median ${(doc.medianError * 100).toFixed(1)}%`);
  t.true(doc.worstError <= 0.5, `worst ${(doc.worstError * 100).toFixed(1)}% (${worst.platform}/${worst.metric})`);
});

test('the calibration.ts files hold what the fitter finds: no fitted value was tuned by hand', (t) => {
  const fitted = fitParameters(model);
  for (const [j, slot] of fittedSlots().entries()) {
    const declared = slot.set.value[slot.name]!;
    t.true(
      Math.abs(declared - fitted[j]!) <= 0.02 * Math.max(1, fitted[j]!),
      `${slot.set.packageName} ${slot.name}: declared ${declared}, fit ${fitted[j]!.toFixed(1)} (run npx visorkit fit)`,
    );
  }
});
