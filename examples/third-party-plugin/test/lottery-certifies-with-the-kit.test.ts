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
  waivers: {
    // Tickets of a vCPU running on one pCPU are out of the draw on the other, so light domains win more there.
    'scheduler/proportional-share-across-pcpus':
      'lottery scheduling is proportional in expectation on one pCPU; on several, a running vCPU’s tickets leave the draw, favouring light domains (Waldspurger & Weihl treat one processor)',
  },
});
