import test from 'ava';
import { experiment, platforms, resultsJson } from './run-twice.js';

// Experiments that draw no random numbers: run twice in one process with one seed they must
// give identical results.json — no state leaks from one run into the next, no wall clock,
// no Math.random.
for (const id of ['micro', 'tcp', 'features', 'cpu-share']) {
  test(`${id}: two runs with one seed give identical results`, (t) => {
    const e = experiment(id);
    t.is(resultsJson(e, 7), resultsJson(e, 7));
  });
}

// These need a platform that can do them: sharing compares contexts with domains, migration needs a movable domain.
for (const [id, on] of [['sharing', platforms('native', 'vserver')], ['migration', platforms('xen-pv')]] as const) {
  test(`${id}: two runs with one seed give identical results`, (t) => {
    const e = experiment(id);
    t.is(resultsJson(e, 7, on), resultsJson(e, 7, on));
  });
}
