import test from 'ava';
import { thirdPartyPlugin } from '@visorkit/example-third-party-plugin';
import { followsItsSeed, resultsJson } from './run-twice.js';

// Experiments whose workloads draw random numbers (request mixes, database keys, addresses,
// lottery tickets): every draw comes from the run's Simulator.random, so one seed gives the
// same results.json twice and another seed gives different figures.
followsItsSeed(test, 'isolation');
followsItsSeed(test, 'modern');

test("cpu-share under the third-party lottery scheduler: its tickets are drawn from the run's seed", (t) => {
  const e = thirdPartyPlugin.experiments.find((x) => x.id === 'cpu-share')!;
  const lottery = thirdPartyPlugin.platforms.filter((p) => p.name === 'native+lottery');
  const first = resultsJson(e, 1, lottery, thirdPartyPlugin.profile);
  t.is(resultsJson(e, 1, lottery, thirdPartyPlugin.profile), first);
  t.not(resultsJson(e, 2, lottery, thirdPartyPlugin.profile), first);
});
