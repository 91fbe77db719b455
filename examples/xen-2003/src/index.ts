/**
 * xen-2003: Xen 1.x on the Xen paper's testbed (a dual 2.4 GHz Xeon, `xeon-2003`) against
 * native Linux: explicit batched `mmu_update`s, BVT scheduling, back ends in Xen itself.
 */
import { xeon2003 } from '@visorkit/core';
import { nativePlugin } from '@visorkit/native';
import { concurrent, cpuShare, definePlatform, features, isolation, micro, relative, scalability, tcp, type ExampleDefinition } from '@visorkit/workloads';
import { xenPvPlugin } from '@visorkit/xen-pv';

/**
 * Xen as the 2003 paper ran it. The batch is XenoLinux 1.x's page-update queue: 2048
 * requests (QUEUE_SIZE in arch/xeno/mm/hypervisor.c of the Xen 1.0 / 1.2 XenoLinux 2.4
 * trees), flushed as one mmu_update when full or before the tables must be current.
 *
 * @public
 */
export const xen1Plugin = xenPvPlugin.configure({ pageTableMode: 'batched', batchSize: 2048, scheduler: 'bvt', backend: 'xen' });

/**
 * The xen-2003 example: `npx visorkit run xen-2003:<experiment>`.
 *
 * @public
 */
export const xen2003: ExampleDefinition = {
  name: 'xen-2003',
  description: 'Xen 1.x (batched page-table updates, BVT) against native on the 2003 Xeon testbed',
  profile: xeon2003,
  platforms: [
    definePlatform({ name: 'native', description: 'Linux on bare metal', isolation: 'processes', plugins: [nativePlugin] }),
    definePlatform({ name: 'xen-pv', description: 'Xen 1.x: batched mmu_update, BVT, back ends in Xen', isolation: 'domains', plugins: [xen1Plugin] }),
  ],
  experiments: [micro, tcp, relative, concurrent, isolation, scalability, cpuShare, features],
};
