import 'reflect-metadata';
import test from 'ava';
import { createHypervisor } from '@visorkit/core';
import { runConformance } from '@visorkit/conformance';
import { hwAssistPlugin } from '@visorkit/hw-assist';
import { xenPvPlugin } from '@visorkit/xen-pv';
import { pageSharingPlugin } from '../src/index.js';

// Each platform with its paging point wrapped by content-based sharing; the scanner runs on a
// daemon timer in every hypervisor the kit builds (at 10x KSM's pace, so it merges within
// the kit's short scenarios).
const fast = pageSharingPlugin.configure({ pagesPerScan: 1000, scanPeriodMs: 2 });

runConformance(test, {
  name: 'hvm-ept + page-sharing',
  compose: (machine) => createHypervisor({ machine, plugins: [fast, hwAssistPlugin] }),
  suites: ['memory', 'lifecycle', 'capabilities'],
});

runConformance(test, {
  name: 'xen-pv + page-sharing',
  compose: (machine) => createHypervisor({ machine, plugins: [fast, xenPvPlugin] }),
  suites: ['memory', 'lifecycle', 'capabilities'],
});
