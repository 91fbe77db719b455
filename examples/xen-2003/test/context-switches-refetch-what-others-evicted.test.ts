import 'reflect-metadata';
import test from 'ava';
import { server2007, xeon2003, type MachineProfile } from '@visorkit/core';
import { runMicro, type MicroMetric } from '@visorkit/workloads';
import { xen2003 } from '../src/index.js';

function ctx(profile: MachineProfile, metric: MicroMetric): number {
  const native = xen2003.platforms.find((p) => p.name === 'native')!;
  return runMicro({ profile, platforms: [native], seed: 1 }, native, [metric]).results[metric]!;
}

test('on xeon-2003 (512 KiB L2) 16 processes of 64 KiB outgrow the cache, so each switch refetches from memory; 2 do not', (t) => {
  const two = ctx(xeon2003, 'ctx-2p-64k');
  const sixteen = ctx(xeon2003, 'ctx-16p-64k');
  const small = ctx(xeon2003, 'ctx-16p-16k');
  t.true(sixteen > 3 * two, `ctx-16p-64k ${sixteen.toFixed(2)} µs vs ctx-2p-64k ${two.toFixed(2)} µs`);
  t.true(small < 1.5 * two, `16 x 16 KiB fits: ${small.toFixed(2)} µs`);
});

test('on server-2007 (2 MiB L2) the same 16 x 64 KiB fit, and the switch costs what 2 processes cost', (t) => {
  const two = ctx(server2007, 'ctx-2p-64k');
  const sixteen = ctx(server2007, 'ctx-16p-64k');
  t.true(sixteen < 1.3 * two, `ctx-16p-64k ${sixteen.toFixed(2)} µs vs ctx-2p-64k ${two.toFixed(2)} µs`);
});
