import 'reflect-metadata';
import test from 'ava';
import { createHypervisor } from '@visorkit/core';
import { runConformance } from '@visorkit/conformance';
import { hwAssistPlugin } from '../src/index.js';

runConformance(test, { name: 'hw-assist (ept)', compose: (machine) => createHypervisor({ machine, plugins: [hwAssistPlugin] }) });
runConformance(test, {
  name: 'hw-assist (shadow)',
  compose: (machine) => createHypervisor({ machine, plugins: [hwAssistPlugin.configure({ paging: 'shadow' })] }),
  suites: ['memory'],
});
// SR-IOV virtual functions behind the IOMMU: the network paths and device assignment.
runConformance(test, {
  name: 'hw-assist (sr-iov)',
  compose: (machine) => createHypervisor({ machine, plugins: [hwAssistPlugin.configure({ io: 'sriov' })] }),
  suites: ['network', 'capabilities'],
});
