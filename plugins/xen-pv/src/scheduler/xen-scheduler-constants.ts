import { pathLengths } from '@visorkit/core';

/**
 * Xen's documented scheduler constants (calibration-ledger entries, kind path-length: constants
 * of named Xen code): BVT's of Xen 1.x/2.0, credit's of Xen 3.x and 4.2. Times in nanoseconds.
 *
 * @public
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
  creditTickNs: {
    value: 10_000_000,
    unit: 'ns',
    source: 'Xen 3.x common/sched_credit.c: CSCHED_MSECS_PER_TICK (10): the per-pCPU tick that debits the running vCPU and ends a BOOST',
  },
  creditTicksPerAccounting: {
    value: 3,
    unit: 'ticks',
    source: 'Xen 3.x common/sched_credit.c: CSCHED_TICKS_PER_ACCT (3): csched_acct shares out credits every 30 ms',
  },
  creditTimeSliceNs: {
    value: 30_000_000,
    unit: 'ns',
    source:
      'Xen 3.x common/sched_credit.c: CSCHED_MSECS_PER_TSLICE (CSCHED_MSECS_PER_TICK x CSCHED_TICKS_PER_TSLICE = 30 ms), the slice csched_schedule returns; Xen 4.2+ sched_credit_tslice_ms defaults to it',
  },
  creditPerTick: {
    value: 100,
    unit: 'credits',
    source:
      'Xen 3.x common/sched_credit.c: CSCHED_CREDITS_PER_TICK (100): credits a vCPU spends per 10 ms tick run; CSCHED_CREDITS_PER_ACCT (300) per pCPU are shared out at each accounting',
  },
  creditDefaultWeight: {
    value: 256,
    unit: 'weight',
    source: 'Xen 3.x common/sched_credit.c: CSCHED_DEFAULT_WEIGHT (256), the weight of a domain nobody set one for',
  },
  creditRateLimitNs: {
    value: 1_000_000,
    unit: 'ns',
    source:
      'Xen 4.2 xen/include/public/sysctl.h: XEN_SYSCTL_SCHED_RATELIMIT_DEFAULT (sched_ratelimit_us = 1000): a running vCPU is not preempted before it has run 1 ms',
  },
  creditMinTimerNs: {
    value: 100_000,
    unit: 'ns',
    source:
      'Xen 4.2 common/sched_credit.c: CSCHED_MIN_TIMER (XEN_SYSCTL_SCHED_RATELIMIT_MIN, 100 us), the shortest timer the credit scheduler sets; here also how often a running vCPU is re-decided while a BOOSTed wake could preempt it',
  },
});
