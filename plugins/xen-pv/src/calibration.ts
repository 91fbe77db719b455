import { fittedParameters } from '@visorkit/core';

/**
 * The xen-pv plugin's fitted parameters: the only numbers of this package set from the fit
 * set's cells (`shared/reference/seed-results.json`). Written by `npx visorkit fit`
 * (non-negative least squares over the mechanism counts of one run); do not edit the values
 * by hand — edit the sources and run the fitter again.
 *
 * @public
 */
export const XEN_PV_FITTED = fittedParameters('@visorkit/xen-pv', {
  typeReference: {
    value: 151.2,
    unit: 'instructions',
    source:
      'get_page_type / put_page_type for one kernel-half entry of a pinned table beyond the entry check itself (the type-count loop, the PAE Xen-L2 special case, the validated-bit test); fitted by visorkit fit',
    fittedTo: [
      { profile: 'server-2007', platform: 'xen-pv', metric: 'fork' },
      { profile: 'server-2007', platform: 'xen-pv', metric: 'exec' },
      { profile: 'server-2007', platform: 'xen-pv', metric: 'sh' },
    ],
  },
  pageFaultFixup: {
    value: 1242,
    unit: 'instructions',
    source:
      "Xen's do_page_fault before it bounces a fault to the guest: fixup_page_fault reads the guest's page tables in software to rule out a fault of Xen's own making; fitted by visorkit fit",
    fittedTo: [
      { profile: 'server-2007', platform: 'xen-pv', metric: 'fork' },
      { profile: 'server-2007', platform: 'xen-pv', metric: 'exec' },
      { profile: 'server-2007', platform: 'xen-pv', metric: 'sh' },
      { profile: 'server-2007', platform: 'xen-pv', metric: 'page-fault' },
    ],
  },
  validateEntry: {
    value: 25.88,
    unit: 'instructions',
    source:
      "get_page_from_l1e per entry of an mmu_update batch (bounds and owner checks in frame_table, get_page's locked cmpxchg on count_info), amortised within a batch; x the profile's kernel CPI gives the same cycles on both NetBurst profiles; fitted by visorkit fit",
    fittedTo: [
      { profile: 'server-2007', platform: 'xen-pv', metric: 'fork' },
      { profile: 'server-2007', platform: 'xen-pv', metric: 'exec' },
      { profile: 'server-2007', platform: 'xen-pv', metric: 'sh' },
      { profile: 'server-2007', platform: 'xen-pv', metric: 'mmap-64mb' },
      { profile: 'server-2007', platform: 'xen-pv', metric: 'mmap-256mb' },
    ],
  },
});
