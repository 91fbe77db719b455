import 'reflect-metadata';
import test from 'ava';
import { NetworkBackend, VcpuScheduler, createHypervisor } from '@visorkit/core';
import { runConformance } from '@visorkit/conformance';
import { nativePlugin } from '@visorkit/native';
import { vserverPlugin } from '../src/index.js';

runConformance(test, {
  name: 'vserver',
  compose: (machine) => createHypervisor({ machine, plugins: [nativePlugin.without(VcpuScheduler, NetworkBackend), vserverPlugin] }),
  antiSpoofing: true,
  reference: (machine) => createHypervisor({ machine, plugins: [nativePlugin] }),
});
