import 'reflect-metadata';
import test from 'ava';
import { VcpuScheduler, createHypervisor } from '@visorkit/core';
import { runConformance } from '@visorkit/conformance';
import { nativePlugin } from '@visorkit/native';
import { lotteryPlugin } from '../src/index.js';

// Native's kernel with the lottery scheduler in place of its own.
runConformance(test, {
  name: 'native + lottery',
  compose: (machine) => createHypervisor({ machine, plugins: [nativePlugin.without(VcpuScheduler), lotteryPlugin] }),
  suites: ['scheduler', 'lifecycle', 'capabilities'],
});
