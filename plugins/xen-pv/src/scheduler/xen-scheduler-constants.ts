import { pathLengths } from '@visorkit/core';

/**
 * Xen's documented scheduler constants (calibration-ledger entries, kind path-length: constants
 * of named Xen code). Times in nanoseconds.
 */
export const XEN_SCHEDULER = pathLengths('@visorkit/xen-pv', {
  bvtMcuNs: {
    value: 100_000,
    unit: 'ns',
    source: 'Xen 1.x/2.0 common/sched_bvt.c: MCU, the minimum charging unit (MICROSECS(100)): run time is charged in whole MCUs',
  },
  bvtContextSwitchAllowanceNs: {
    value: 5_000_000,
    unit: 'ns',
    source:
      "Xen 1.x/2.0 common/sched_bvt.c: ctx_allow (MILLISECS(5)), how far past the next domain's effective virtual time the running one may go before a switch",
  },
  bvtDefaultMcuAdvance: {
    value: 10,
    unit: 'virtual time per MCU',
    source: 'Xen 1.x/2.0 common/sched_bvt.c: the default mcu_advance of a domain (10); a domain of weight w here advances 10 x 256 / w',
  },
  bvtWarpLimitNs: {
    value: 2_000_000_000,
    unit: 'ns',
    source: 'Xen 1.x/2.0 sched_bvt.c: default warp limit (warpl, MILLISECS(2000)): a domain stays warped at most this long',
  },
  bvtUnwarpRequirementNs: {
    value: 1_000_000_000,
    unit: 'ns',
    source: 'Xen 1.x/2.0 sched_bvt.c: default unwarp requirement (warpu, MILLISECS(1000)): how long a domain must stay unwarped before it may warp again',
  },
});
