import type { PlatformSpec } from '@visorkit/workloads';
import { platformRegistry } from '../platforms/platform-registry.js';
import type { FuzzTarget } from './fuzz-machine.js';

function platform(name: string): PlatformSpec {
  const p = platformRegistry.find((x) => x.name === name);
  if (p === undefined) throw new Error(`platform '${name}' is not registered`);
  return p;
}

/**
 * The bundled plugins as the fuzzer attacks them, by plugin name (`--plugin`). hw-assist is
 * attacked in each of its memory and I/O modes in turn (nested paging with SR-IOV, shadow
 * paging), since each keeps guests apart differently. vserver is attacked both as a machine
 * (domain against domain) and from inside a context of its shared kernel (signals, binds,
 * chroot escapes, limits).
 */
export const FUZZ_TARGETS: Readonly<Record<string, readonly FuzzTarget[]>> = {
  native: [{ plugin: 'native', platform: platform('native'), format: 'machine', typedPageTables: false }],
  'xen-pv': [{ plugin: 'xen-pv', platform: platform('xen-pv'), format: 'machine', typedPageTables: true }],
  vserver: [
    { plugin: 'vserver', platform: platform('vserver'), format: 'machine', typedPageTables: false },
    { plugin: 'vserver', platform: platform('vserver'), format: 'machine', typedPageTables: false, family: 'containers' },
  ],
  'hw-assist': [
    { plugin: 'hw-assist', platform: platform('hvm-sriov'), format: 'guest', typedPageTables: false },
    { plugin: 'hw-assist', platform: platform('hvm-shadow'), format: 'guest', typedPageTables: false },
  ],
};
