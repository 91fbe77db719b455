import { xeon2003, xeon2003Sources, type MachineProfile, type ProfileSources } from '@visorkit/core';
import { XEN_PV_PRIMITIVES } from '@visorkit/xen-pv';

/** Clock of the live-migration testbed's Xeons, GHz (Clark et al., NSDI 2005, §6.1). */
const CLOCK_GHZ = 2.0;

/**
 * The live-migration paper's testbed (Clark et al., "Live Migration of Virtual Machines", NSDI
 * 2005, §6.1): a pair of Dell PowerEdge 2650 servers, dual 2 GHz Xeons of which one CPU is
 * used, 2 GB RAM, Broadcom Tigon 3 gigabit NICs on one switch; storage on network-attached
 * iSCSI, so no disk moves with a VM.
 *
 * It is the Xen paper's server class with a slower clock, so it derives from `xeon-2003` (same
 * NetBurst core, caches, TLB, chipset, memory system and NIC — whose primitives and sources
 * are there): cycle costs of the core's own work stay as they are, and costs bounded by the
 * memory system (page zero and copy at `bandwidthGBps`) take fewer cycles of the slower clock.
 * The disk model stands for the iSCSI target's disk: the experiments here serve from the page
 * cache, and nothing on it is migrated.
 *
 * @public
 */
export const poweredge2650: MachineProfile = {
  ...xeon2003,
  name: 'poweredge-2650',
  description: 'Dell PowerEdge 2650, one of two 2 GHz Xeons (NetBurst), 2 GB, Tigon 3 gigabit, iSCSI storage: the live-migration testbed',
  year: 2004,
  cpu: { ...xeon2003.cpu, model: 'Intel Xeon DP 2.0 GHz (NetBurst, Prestonia, 512 KB L2)', clockGhz: CLOCK_GHZ, cores: 1 },
  costs: {
    ...xeon2003.costs,
    // Bandwidth-bound: 4096 B written (zero) or read and written (copy) at bandwidthGBps, in this clock's cycles.
    pageZero: Math.round((4096 / (xeon2003.memory.bandwidthGBps * 1e9)) * CLOCK_GHZ * 1e9),
    pageCopy: Math.round(((2 * 4096) / (xeon2003.memory.bandwidthGBps * 1e9)) * CLOCK_GHZ * 1e9),
  },
  // Xen's own primitives (xen-pv knows xeon-2003, not this testbed): the same NetBurst core's.
  extensions: { 'xen-pv': XEN_PV_PRIMITIVES.of(xeon2003) },
};

/**
 * Where each of poweredge2650's numbers comes from (its calibration-ledger sources): xeon-2003's,
 * except for what this testbed changes.
 *
 * @public
 */
export const poweredge2650Sources: ProfileSources & Readonly<Record<string, string>> = {
  ...xeon2003Sources,
  'cpu.clockGhz': 'Clark et al., NSDI 2005, §6.1: dual 2 GHz Xeons',
  'cpu.cores': 'Clark et al., NSDI 2005, §6.1: one of the two CPUs used',
  'costs.pageZero': '4096 B written at memory.bandwidthGBps (xeon-2003 memory system), in 2 GHz cycles',
  'costs.pageCopy': '4096 B read + 4096 B written at memory.bandwidthGBps (xeon-2003 memory system), in 2 GHz cycles',
  'extensions.xen-pv.pteValidate': "xen-pv's xeon-2003 value: the same NetBurst core, the same locked cmpxchg and frame-table lookups, in cycles",
};
