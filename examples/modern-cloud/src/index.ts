/**
 * modern-cloud: hardware-assisted virtualisation on a current server — nested paging with
 * and without 2 MiB host pages, shadow paging for contrast, SR-IOV networking — against bare
 * metal. The composition the seed's closing remarks point to ("goes away with modern HW").
 */
import { modern } from '@visorkit/core';
import { hwAssistPlugin } from '@visorkit/hw-assist';
import { nativePlugin } from '@visorkit/native';
import { xenPvPlugin } from '@visorkit/xen-pv';
import { cpuShare, definePlatform, features, migration, modernExperiment, type ExampleDefinition } from '@visorkit/workloads';

/**
 * The platforms this example fixes (options included).
 *
 * @public
 */
export const modernCloudPlatforms = [
  definePlatform({ name: 'native', description: 'bare metal', isolation: 'processes', plugins: [nativePlugin] }),
  definePlatform({ name: 'xen-pv', description: 'Xen paravirtualisation (for contrast)', isolation: 'domains', plugins: [xenPvPlugin] }),
  definePlatform({ name: 'hvm-ept', description: 'EPT, 4 KiB host pages, virtio', isolation: 'domains', plugins: [hwAssistPlugin] }),
  definePlatform({
    name: 'hvm-ept-2m',
    description: 'EPT with 2 MiB host pages, virtio',
    isolation: 'domains',
    plugins: [hwAssistPlugin.configure({ largePages: true })],
  }),
  definePlatform({
    name: 'hvm-shadow',
    description: 'shadow page tables, virtio',
    isolation: 'domains',
    plugins: [hwAssistPlugin.configure({ paging: 'shadow' })],
  }),
  definePlatform({
    name: 'hvm-sriov',
    description: 'EPT, SR-IOV virtual functions, posted interrupts',
    isolation: 'domains',
    plugins: [hwAssistPlugin.configure({ io: 'sriov', interrupts: 'posted' })],
  }),
];

/**
 * The modern-cloud example: `npx visorkit run modern-cloud:<experiment>`.
 *
 * @public
 */
export const modernCloud: ExampleDefinition = {
  name: 'modern-cloud',
  description: 'VT-x with nested paging and SR-IOV on a current server, against bare metal',
  profile: modern,
  platforms: modernCloudPlatforms,
  experiments: [modernExperiment, cpuShare, features, migration],
};
