import { hwAssistPlugin } from '@visorkit/hw-assist';
import { nativePlugin } from '@visorkit/native';
import { vserverInGuestsOf, vserverOn } from '@visorkit/vserver';
import { xenPvPlugin } from '@visorkit/xen-pv';
import { definePlatform, needsHardwareVirtualization, needsNestedPaging, needsSriov, type PlatformDefinition, type PlatformSpec } from '@visorkit/workloads';

/**
 * The definitions behind {@link platformRegistry}: plugins and their options as data, so a
 * sweep can vary a plugin's options (`--vary xen-pv.batchSize=…`) and rebuild the platform.
 *
 * @public
 */
export const platformDefinitions: readonly PlatformDefinition[] = [
  { name: 'native', description: 'bare metal: one OS, instances are its processes', isolation: 'processes', plugins: [nativePlugin] },
  {
    name: 'xen-pv',
    description: 'Xen 3 paravirtualisation: writable page tables, credit scheduler, Dom0 back ends',
    isolation: 'domains',
    plugins: [xenPvPlugin],
  },
  {
    name: 'vserver',
    description: "Linux-VServer contexts on native's shared kernel: token-bucket CPU limits, network contexts",
    isolation: 'contexts',
    plugins: vserverOn(nativePlugin),
  },
  {
    name: 'hvm-ept',
    description: 'VT-x with nested paging (EPT), 4 KiB host pages, virtio devices',
    isolation: 'domains',
    plugins: [hwAssistPlugin],
    unsupportedOn: needsNestedPaging,
  },
  {
    name: 'hvm-ept+vserver',
    description: "containers on VMs: Linux-VServer contexts in an hvm-ept guest's kernel (nested paging and exits under the context checks)",
    isolation: 'contexts',
    stackedOn: 'hvm-ept',
    plugins: vserverInGuestsOf(hwAssistPlugin),
    unsupportedOn: needsNestedPaging,
  },
  {
    name: 'hvm-ept-2m',
    description: 'VT-x with nested paging mapped by 2 MiB host pages, virtio devices',
    isolation: 'domains',
    plugins: [hwAssistPlugin.configure({ largePages: true })],
    unsupportedOn: needsNestedPaging,
  },
  {
    name: 'hvm-shadow',
    description: 'VT-x with shadow page tables (every guest page-table write exits), virtio devices',
    isolation: 'domains',
    plugins: [hwAssistPlugin.configure({ paging: 'shadow' })],
    unsupportedOn: needsHardwareVirtualization,
  },
  {
    name: 'hvm-sriov',
    description: 'VT-x with nested paging and an SR-IOV virtual function per domain, posted interrupts',
    isolation: 'domains',
    plugins: [hwAssistPlugin.configure({ io: 'sriov', interrupts: 'posted' })],
    unsupportedOn: needsSriov,
  },
];

/**
 * The platforms `--platforms` accepts, each plugin with its default options (examples fix
 * their own). Names are public interface.
 *
 * @public
 */
export const platformRegistry: readonly PlatformSpec[] = platformDefinitions.map(definePlatform);
