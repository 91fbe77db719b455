import { pathLengths } from '@visorkit/core';

/**
 * Xen's documented scheduler constants (calibration-ledger entries, kind path-length: constants
 * of named Xen code). Times in nanoseconds.
 */
export const XEN_SCHEDULER = pathLengths('@visorkit/xen-pv', {
  bvtMcuNs: { value: 100_000, unit: 'ns', source: 'Xen 1.x/2.0 common/sched_bvt.c: MCU, the minimum charging unit (MICROSECS(100)): run time is charged in whole MCUs' },
  bvtContextSwitchAllowanceNs: { value: 5_000_000, unit: 'ns', source: 'Xen 1.x/2.0 common/sched_bvt.c: ctx_allow (MILLISECS(5)), how far past the next domain\'s effective virtual time the running one may go before a switch' },
  bvtDefaultMcuAdvance: { value: 10, unit: 'virtual time per MCU', source: 'Xen 1.x/2.0 common/sched_bvt.c: the default mcu_advance of a domain (10); a domain of weight w here advances 10 x 256 / w' },
  bvtWarpLimitNs: { value: 2_000_000_000, unit: 'ns', source: 'Xen 1.x/2.0 sched_bvt.c: default warp limit (warpl, MILLISECS(2000)): a domain stays warped at most this long' },
  bvtUnwarpRequirementNs: { value: 1_000_000_000, unit: 'ns', source: 'Xen 1.x/2.0 sched_bvt.c: default unwarp requirement (warpu, MILLISECS(1000)): how long a domain must stay unwarped before it may warp again' },
  creditTickNs: { value: 10_000_000, unit: 'ns', source: 'Xen 3 common/sched_credit.c: CSCHED_MSECS_PER_TICK (10): the running vCPU is debited every tick' },
  creditTicksPerAccounting: { value: 3, unit: 'ticks', source: 'Xen 3 common/sched_credit.c: CSCHED_TICKS_PER_ACCT (3): credits are handed out every 30 ms' },
  creditPerTick: { value: 100, unit: 'credits', source: 'Xen 3 common/sched_credit.c: CSCHED_CREDITS_PER_TICK (100)' },
  creditTimeSliceNs: { value: 30_000_000, unit: 'ns', source: 'Xen 3 common/sched_credit.c: CSCHED_MSECS_PER_TSLICE (30): the longest a vCPU runs before the next is considered' },
  creditRateLimitNs: { value: 1_000_000, unit: 'ns', source: 'Xen 4.2+ common/sched_credit.c: sched_ratelimit_us default (1000): a vCPU runs at least 1 ms before it is preempted' },
  creditDefaultWeight: { value: 256, unit: 'weight', source: 'Xen 3 common/sched_credit.c: CSCHED_DEFAULT_WEIGHT (256)' },
});
