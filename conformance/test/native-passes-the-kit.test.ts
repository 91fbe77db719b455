import 'reflect-metadata';
import test from 'ava';
import { createHypervisor } from '@visorkit/core';
import { nativePlugin } from '@visorkit/native';
import { runConformance } from '../src/index.js';

// The reference plugin certifies against the kit. One OS: domain-level isolation is not promised.
runConformance(test, { name: 'native', compose: (machine) => createHypervisor({ machine, plugins: [nativePlugin] }) });
