import 'reflect-metadata';
import test from 'ava';
import { server2007 } from '@visorkit/core';
import { nativePlugin } from '@visorkit/native';
import { MICRO_METRICS, PUBLISHED_MICRO_US, definePlatform, micro } from '../src/index.js';

test("micro on native (server-2007) is within 20% of the seed's Linux-UP column for its seven rows", (t) => {
  const native = definePlatform({ name: 'native', description: 'bare metal', isolation: 'processes', plugins: [nativePlugin] });
  const rows = micro.run({ profile: server2007, platforms: [native], seed: 1 });
  for (const [metric, published] of Object.entries(PUBLISHED_MICRO_US)) {
    const row = rows.find((r) => r.metric === metric);
    t.truthy(row, metric);
    const error = Math.abs(row!.value - published.native!) / published.native!;
    t.true(error < 0.2, `${metric}: ${row!.value.toFixed(2)} µs vs ${published.native} µs`);
  }
});

test('every micro metric is reported with the mechanism counts that explain it', (t) => {
  const native = definePlatform({ name: 'native', description: 'bare metal', isolation: 'processes', plugins: [nativePlugin] });
  const rows = micro.run({ profile: server2007, platforms: [native], seed: 1 });
  t.deepEqual(new Set(rows.map((r) => r.metric)), new Set(MICRO_METRICS));
  t.is(MICRO_METRICS.length, 20);
  const fork = rows.find((r) => r.metric === 'fork')!;
  t.true(fork.counts['pte-write']! > 0 && fork.counts['page-fault']! > 0);
  const nullCall = rows.find((r) => r.metric === 'null-call')!;
  t.true(nullCall.counts.syscall! >= 200);
  const select = rows.find((r) => r.metric === 'slct-tcp')!;
  t.true(select.value > 1 && select.value < 100, `slct-tcp ${select.value} µs`);
});
