import 'reflect-metadata';
import test from 'ava';
import { createHypervisor } from '@visorkit/core';
import { runConformance } from '@visorkit/conformance';
import { nativePlugin } from '@visorkit/native';
import { vserverOn } from '../src/index.js';

runConformance(test, {
  name: 'vserver',
  compose: (machine) => createHypervisor({ machine, plugins: vserverOn(nativePlugin) }),
  antiSpoofing: true,
  reference: (machine) => createHypervisor({ machine, plugins: [nativePlugin] }),
});
