import test from 'ava';
import { experiment, resultsJson } from './run-twice.js';

// Experiments that draw no random numbers: run twice in one process with one seed they must
// give identical results.json — no state leaks from one run into the next, no wall clock,
// no Math.random.
for (const id of ['density']) {
  test(`${id}: two runs with one seed give identical results`, (t) => {
    const e = experiment(id);
    t.is(resultsJson(e, 7), resultsJson(e, 7));
  });
}
