import 'reflect-metadata';
import test from 'ava';
import { createHypervisor } from '@visorkit/core';
import { runConformance } from '@visorkit/conformance';
import { xenPvPlugin } from '../src/index.js';

runConformance(test, {
  name: 'xen-pv (Xen 3)',
  compose: (machine) => createHypervisor({ machine, plugins: [xenPvPlugin] }),
  isolation: true,
  antiSpoofing: true,
});
runConformance(test, {
  name: 'xen-pv (Xen 1.x)',
  compose: (machine) => createHypervisor({ machine, plugins: [xenPvPlugin.configure({ pageTableMode: 'batched', scheduler: 'bvt', backend: 'xen' })] }),
  suites: ['memory', 'scheduler'],
  isolation: true,
});
