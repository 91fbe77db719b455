/**
 * Content-based page sharing as an outside author writes it: a plugin that decorates the
 * paging point of a nested-paging platform (`hw-assist`'s hvm-ept) or of Xen PV (`xen-pv`,
 * under Xen's rules), a background scanner that backs identical pages of different VMs by
 * one frame, and copy on write on the first write. Only public API: core's tokens, the
 * guest-physical map service, daemon timers.
 */
import { ContainerModule, InvalidArgumentError, MemoryVirtualization, definePlugin, modern } from '@visorkit/core';
import { hwAssistPlugin } from '@visorkit/hw-assist';
import { nativePlugin } from '@visorkit/native';
import { vserverOn } from '@visorkit/vserver';
import { xenPvPlugin } from '@visorkit/xen-pv';
import { definePlatform, needsNestedPaging, type ExampleDefinition } from '@visorkit/workloads';
import { PageScanner, PageScannerService } from './page-scanner.js';
import { PAGE_SHARING_DEFAULTS, PageSharingOptions } from './page-sharing-options.js';
import { PAGE_SHARING_PATH } from './page-sharing-path-lengths.js';
import { pageSharingExperiment } from './sharing-experiment.js';
import { SharingPaging } from './sharing-paging.js';

export { PageScanner, PageScannerService, type ScanStats } from './page-scanner.js';
export { PAGE_SHARING_DEFAULTS, PageSharingOptions } from './page-sharing-options.js';
export { PAGE_SHARING_PATH } from './page-sharing-path-lengths.js';
export { SharingPaging } from './sharing-paging.js';
export { pageSharingExperiment } from './sharing-experiment.js';

/**
 * The page-sharing plugin: `[hwAssistPlugin, pageSharingPlugin]` or `[xenPvPlugin, pageSharingPlugin]`, in either order.
 *
 * @public
 */
export const pageSharingPlugin = definePlugin<PageSharingOptions>({
  name: 'page-sharing',
  version: '0.1.0',
  description: 'Content-based page sharing (ESX, KSM): a scanner merges identical guest pages, copy on write on the first write.',
  provides: [],
  decorates: [MemoryVirtualization],
  capabilities: [],
  defaults: PAGE_SHARING_DEFAULTS,
  validate(o) {
    if (!Number.isInteger(o.pagesPerScan) || o.pagesPerScan < 1)
      throw new InvalidArgumentError('pagesPerScan', `expected a positive integer, got ${o.pagesPerScan}`);
    if (!(o.scanPeriodMs > 0)) throw new InvalidArgumentError('scanPeriodMs', `expected a positive number of ms, got ${o.scanPeriodMs}`);
  },
  module: (options) =>
    new ContainerModule((o) => {
      o.bind(PageSharingOptions).toConstantValue(options);
      o.bind(PageScanner).toSelf().inSingletonScope();
      o.bind(PageScannerService).toService(PageScanner);
      o.bind(SharingPaging).toSelf().inSingletonScope();
      o.bind(MemoryVirtualization).toService(SharingPaging);
    }),
});

/**
 * The example: `npx visorkit run page-sharing:sharing`.
 *
 * @public
 */
export const pageSharing: ExampleDefinition = {
  name: 'page-sharing',
  description: 'Content-based page sharing by an outside author on hvm-ept and Xen PV, certified by the kit, beside VServer unification',
  profile: modern,
  pathLengths: [PAGE_SHARING_PATH],
  platforms: [
    definePlatform({
      name: 'hvm-ept+page-sharing',
      description: 'VT-x with nested paging, its paging point wrapped by content-based page sharing',
      isolation: 'domains',
      plugins: [hwAssistPlugin, pageSharingPlugin],
      unsupportedOn: needsNestedPaging,
    }),
    definePlatform({
      name: 'xen-pv+page-sharing',
      description:
        "Xen paravirtualisation, its paging point wrapped by content-based page sharing under Xen's rules (no frame a page table maps, or that is one, is shared)",
      isolation: 'domains',
      plugins: [xenPvPlugin, pageSharingPlugin],
    }),
    definePlatform({
      name: 'vserver',
      description: "Linux-VServer contexts on native's shared kernel, servers unified",
      isolation: 'contexts',
      plugins: vserverOn(nativePlugin),
    }),
  ],
  experiments: [pageSharingExperiment],
};
