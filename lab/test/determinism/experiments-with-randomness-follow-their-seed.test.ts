import test from 'ava';
import { thirdPartyPlugin } from '@visorkit/example-third-party-plugin';
import { experiment, resultsJson } from './run-twice.js';

// Experiments whose workloads draw random numbers (request mixes, database keys, file sizes,
// addresses, lottery tickets): every draw comes from the run's Simulator.random, so one seed
// gives the same results.json twice and another seed gives different figures.
for (const id of ['relative', 'concurrent', 'isolation', 'modern']) {
  test(`${id}: the same seed gives identical results, another seed different ones`, (t) => {
    const e = experiment(id);
    const first = resultsJson(e, 1);
    t.is(resultsJson(e, 1), first, 'a second run with seed 1 differs from the first');
    t.not(resultsJson(e, 2), first, 'seed 2 gave exactly the results of seed 1: the seed does not reach the randomness');
  });
}

test("cpu-share under the third-party lottery scheduler: its tickets are drawn from the run's seed", (t) => {
  const e = thirdPartyPlugin.experiments.find((x) => x.id === 'cpu-share')!;
  const lottery = thirdPartyPlugin.platforms.filter((p) => p.name === 'native+lottery');
  const first = resultsJson(e, 1, lottery, thirdPartyPlugin.profile);
  t.is(resultsJson(e, 1, lottery, thirdPartyPlugin.profile), first);
  t.not(resultsJson(e, 2, lottery, thirdPartyPlugin.profile), first);
});
