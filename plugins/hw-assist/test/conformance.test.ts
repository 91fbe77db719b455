import 'reflect-metadata';
import test from 'ava';
import { createHypervisor } from '@visorkit/core';
import { runConformance } from '@visorkit/conformance';
import { hwAssistPlugin } from '../src/index.js';

runConformance(test, { name: 'hw-assist (ept)', compose: (machine) => createHypervisor({ machine, plugins: [hwAssistPlugin] }) });
runConformance(test, { name: 'hw-assist (shadow)', compose: (machine) => createHypervisor({ machine, plugins: [hwAssistPlugin.configure({ paging: 'shadow' })] }), suites: ['memory'] });
