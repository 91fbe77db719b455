import { pathLengths } from '@visorkit/core';

/**
 * The sharing plugin's own numbers: calibration-ledger entries read through `.value`. Costs
 * are these times the machine profile's primitives (a VM exit, a page copy, memory
 * bandwidth), charged where the events happen.
 *
 * @public
 */
export const PAGE_SHARING_PATH = pathLengths('@visorkit/example-page-sharing', {
  cowFaultHandler: {
    value: 1200,
    unit: 'instructions',
    source:
      "the host's handler of a write to a shared page, besides the copy: KVM's EPT-violation exit to the MMU (handle_ept_violation, tdp_page_fault) and KSM's break_ksm / Linux do_wp_page -> wp_page_copy (allocate, rmap, re-map); estimated from the structure of the C, not measured",
  },
  pagesPerScan: {
    value: 100,
    unit: 'pages',
    source: "Linux KSM's default /sys/kernel/mm/ksm/pages_to_scan (Documentation/admin-guide/mm/ksm.rst): pages ksmd scans per wake-up",
  },
  scanPeriodMs: {
    value: 20,
    unit: 'ms',
    source: "Linux KSM's default /sys/kernel/mm/ksm/sleep_millisecs (Documentation/admin-guide/mm/ksm.rst): how long ksmd sleeps between scans",
  },
});
