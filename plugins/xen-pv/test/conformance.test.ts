import 'reflect-metadata';
import test from 'ava';
import { createHypervisor } from '@visorkit/core';
import { runConformance } from '@visorkit/conformance';
import { xenPvPlugin } from '../src/index.js';

runConformance(test, {
  name: 'xen-pv (Xen 3, credit)',
  compose: (machine) => createHypervisor({ machine, plugins: [xenPvPlugin.configure({ scheduler: 'credit' })] }),
  isolation: true,
  antiSpoofing: true,
});
runConformance(test, {
  name: 'xen-pv (Xen 1.x)',
  compose: (machine) => createHypervisor({ machine, plugins: [xenPvPlugin.configure({ pageTableMode: 'batched', scheduler: 'bvt', backend: 'xen' })] }),
  suites: ['memory', 'scheduler'],
  isolation: true,
});
// BVT on the Xen 3 plugin: the scheduler's own contracts and what a destroyed domain leaves behind.
runConformance(test, {
  name: 'xen-pv (Xen 3, BVT)',
  compose: (machine) => createHypervisor({ machine, plugins: [xenPvPlugin.configure({ scheduler: 'bvt' })] }),
  suites: ['scheduler', 'lifecycle'],
  isolation: true,
});
