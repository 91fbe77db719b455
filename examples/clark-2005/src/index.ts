/**
 * clark-2005: live migration as Clark et al. measured it ("Live Migration of Virtual Machines",
 * NSDI 2005) — their testbed (`poweredge-2650`), their four workloads, and Xen's 2005 save tool
 * ({@link XEN_2005_PRECOPY}: shadow-mode dirty logging, 1,024-page batches, a rate that adapts
 * from 100 to 500 Mbit/s). The paper's results are held out: nothing here was fitted to them.
 */
import { xenPvPlugin } from '@visorkit/xen-pv';
import { definePlatform, type ExampleDefinition } from '@visorkit/workloads';
import { clarkMigrationExperiment } from './experiments/clark-migration.js';
import { clarkWwsExperiment } from './experiments/clark-wws.js';
import { poweredge2650, poweredge2650Sources } from './poweredge-2650.js';

export { poweredge2650, poweredge2650Sources } from './poweredge-2650.js';
export {
  buildTestbed,
  migrationWorkload,
  MIGRATION_WORKLOADS,
  type MigrationWorkload,
  type Testbed,
  type WorkloadName,
  type WorkloadScale,
} from './testbed.js';
export { migrateUnderLoad, type MigrateUnderLoadOptions, type MigrationUnderLoad, type ServiceSample } from './migrate-under-load.js';
export { clarkMigrationExperiment, type ClarkMigrationOptions } from './experiments/clark-migration.js';
export { clarkWwsExperiment, WWS_PERIOD_NS, WWS_WINDOW_NS, type ClarkWwsOptions } from './experiments/clark-wws.js';
export type { ServiceProbe } from './workloads/service-probe.js';
export { saveToolSender } from './save-tool-costs.js';

/**
 * Xen 2.0 as the paper ran it: writable page tables, BVT, back ends in Dom0 (the save tool's
 * shadow log-dirty mode is the memory plugin's dirty log).
 *
 * @public
 */
export const xen2Plugin = xenPvPlugin.configure({ pageTableMode: 'writable', scheduler: 'bvt', backend: 'dom0' });

/**
 * The clark-2005 example: `npx visorkit run clark-2005:migration` and `clark-2005:wws`.
 *
 * @public
 */
export const clark2005: ExampleDefinition = {
  name: 'clark-2005',
  description: 'Xen 2.0 live migration on the NSDI 2005 testbed: the paper workloads under the 2005 save tool',
  profile: poweredge2650,
  profileSources: poweredge2650Sources,
  platforms: [
    definePlatform({ name: 'xen-pv', description: 'Xen 2.0: writable page tables, BVT, back ends in Dom0', isolation: 'domains', plugins: [xen2Plugin] }),
  ],
  experiments: [clarkMigrationExperiment(), clarkWwsExperiment()],
};
