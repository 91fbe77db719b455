/**
 * vserver-2007: the container paper's comparison — Linux-VServer, Xen 3 and native Linux on
 * a 2007 server (`server-2007`).
 */
import { server2007 } from '@visorkit/core';
import { nativePlugin } from '@visorkit/native';
import { vserverOn } from '@visorkit/vserver';
import {
  concurrent,
  cpuShare,
  definePlatform,
  density,
  faultIsolation,
  features,
  isolation,
  micro,
  migration,
  relative,
  sharing,
  type ExampleDefinition,
} from '@visorkit/workloads';
import { xenPvPlugin } from '@visorkit/xen-pv';

/**
 * The vserver-2007 example: `npx visorkit run vserver-2007:<experiment>`.
 *
 * @public
 */
export const vserver2007: ExampleDefinition = {
  name: 'vserver-2007',
  description: 'Linux-VServer, Xen 3 and native Linux on a 2007 server: the container paper',
  profile: server2007,
  platforms: [
    definePlatform({ name: 'native', description: 'Linux 2.6 on bare metal', isolation: 'processes', plugins: [nativePlugin] }),
    definePlatform({
      name: 'vserver',
      description: 'VServer contexts on the same kernel',
      isolation: 'contexts',
      plugins: vserverOn(nativePlugin),
    }),
    definePlatform({
      name: 'xen-pv',
      description: 'Xen 3: emulated page-table writes, credit scheduler, Dom0 back ends',
      isolation: 'domains',
      plugins: [xenPvPlugin],
    }),
  ],
  experiments: [micro, relative, concurrent, isolation, sharing, density, faultIsolation, cpuShare, features, migration],
};
