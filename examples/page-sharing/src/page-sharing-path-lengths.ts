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
  xenUnshareHandler: {
    value: 900,
    unit: 'instructions',
    source:
      "Xen's handler of a guest kernel's write to a shared page, besides the copy: the page fault taken into Xen (do_page_fault -> fixup_page_fault) and mem_sharing_unshare_page (look up the shared page, allocate a private one, update the p2m and m2p, drop the shared page's reference) in xen/arch/x86/mm/mem_sharing.c; estimated from the structure of the C, not measured",
  },
  mergeHandler: {
    value: 1500,
    unit: 'instructions',
    source:
      "the scanner's work to merge one page besides reading it: Linux KSM's try_to_merge_with_ksm_page -> try_to_merge_one_page (lock the page, write_protect_page through the rmap walk, replace_page, stable_tree_insert) and the MMU notifier that zaps the guest's second-level entry (kvm_mmu_notifier_change_pte); on Xen, mem_sharing_share_pages (the p2m and m2p entries, the page's owner and type changed) is of the same order and taken to be the same; estimated from the structure of the C, not measured",
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
