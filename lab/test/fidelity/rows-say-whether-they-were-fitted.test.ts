import test from 'ava';
import { GUEST_FITTED } from '@visorkit/guest';
import { withProvenance } from '../../src/fidelity/provenance.js';

test('a row is fitted when a fitted parameter was fitted to its cell, predicted otherwise, and every row says which', (t) => {
  const cell = GUEST_FITTED.parameters()[0]!.fittedTo[0]!;
  const result = withProvenance({
    experiment: 'micro',
    composition: 'x',
    profile: cell.profile,
    seed: 1,
    results: [
      { platform: cell.platform, metric: cell.metric, value: 1, unit: 'us', counts: {} },
      { platform: cell.platform, metric: 'null-call', value: 1, unit: 'us', counts: {} },
    ],
  });
  t.is(result.results[0]!.provenance, 'fitted');
  t.is(result.results[1]!.provenance, 'predicted');
  const elsewhere = withProvenance({
    experiment: 'micro',
    composition: 'x',
    profile: 'xeon-2003',
    seed: 1,
    results: [{ platform: cell.platform, metric: cell.metric, value: 1, unit: 'us', counts: {} }],
  });
  t.is(elsewhere.results[0]!.provenance, 'predicted', 'the same metric on other hardware was not fitted to');
});
