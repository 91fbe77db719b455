import 'reflect-metadata';
import test from 'ava';
import { createHypervisor } from '@visorkit/core';
import { runConformance } from '@visorkit/conformance';
import { hwAssistPlugin } from '@visorkit/hw-assist';
import { vserverInGuestsOf } from '../src/index.js';

// Containers on VMs: hw-assist's VMs with vserver contexts in their kernels keep every
// contract hw-assist keeps alone (the policy adds checks to guest kernels, nothing else), and
// a guest sees there what it sees in a plain hw-assist VM.
runConformance(test, {
  name: 'hvm-ept+vserver',
  compose: (machine) => createHypervisor({ machine, plugins: vserverInGuestsOf(hwAssistPlugin) }),
  reference: (machine) => createHypervisor({ machine, plugins: [hwAssistPlugin] }),
});
