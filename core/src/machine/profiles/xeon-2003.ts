import type { MachineProfile } from '../machine-profile.js';

/**
 * The Xen paper's testbed: a Dell PowerEdge 2650, two 2.4 GHz Intel Xeon (NetBurst,
 * "Prestonia") processors, 2 GB RAM, a Broadcom Tigon 3 gigabit NIC and one Hitachi
 * DK32EJ 146 GB 10k RPM SCSI disk (Barham et al., "Xen and the Art of Virtualization",
 * SOSP 2003, §4). No hardware virtualisation existed; Linux used 2-level 32-bit paging.
 *
 * Cycle costs are for NetBurst, whose privilege transitions were notoriously slow.
 */
export const xeon2003: MachineProfile = {
  name: 'xeon-2003',
  description: 'Dell 2650, 2 x 2.4 GHz Xeon (NetBurst), 2 GB, 10k RPM SCSI, gigabit NIC: the Xen paper testbed',
  year: 2003,
  cpu: {
    model: 'Intel Xeon 2.4 GHz (NetBurst, Prestonia)',
    clockGhz: 2.4, // Xen paper §4
    cores: 2, // dual processor, Xen paper §4
    kernelCpi: 2.2, // NetBurst's deep pipeline gives kernel code (branchy, cache-cold) CPI ~2 (Intel P4 optimisation manual; lmbench-era measurements)
    hardwareVirtualization: false, // VT-x arrived in late 2005
    nestedPaging: false,
    taggedTlb: false,
  },
  memory: {
    sizeMiB: 2048, // Xen paper §4
    referenceLatencyNs: 140, // DDR-266 behind a 533 MT/s FSB: ~130-150 ns load-to-use (lmbench lat_mem_rd on P4 Xeons)
    cacheHitCycles: 24, // P4 L2 load-to-use latency ~18-28 cycles (Intel P4 optimisation manual, table of latencies); page-walk references mostly hit L2
    pageTableFormat: '2-level', // 32-bit non-PAE Linux 2.4 as used by XenoLinux 2003
    bandwidthGBps: 2.5, // practical copy/zero bandwidth of a P4 Xeon on DDR-266 (STREAM-class figures ~2-3 GB/s)
  },
  cache: { l1dKiB: 8, l2KiB: 512, llcKiB: 512, lineBytes: 64 }, // Prestonia: 8 KB L1D, 512 KB L2 (Intel data sheet)
  tlb: {
    entries: 64, // P4 DTLB: 64 entries, fully associative (Intel P4 optimisation manual)
    ways: 8, // modelled 8-way for speed; reach is what matters for our workloads
    largePageEntries: 64, // the P4 DTLB holds 4 KB and 4 MB pages in the same 64 entries
    pageWalkCacheEntries: 0,
  },
  costs: {
    syscallRoundTrip: 700, // int 0x80 + iret on NetBurst ~ 500-1000 cycles; lmbench null call 0.45 us = 1080 cycles incl. kernel work (Xen paper Table 3)
    trapRoundTrip: 1200, // exception entry + iret on NetBurst (> a system call: error code, CR2, no fast path)
    hypercallRoundTrip: 900, // int 0x82 from ring 1 to ring 0 and back: a software interrupt round trip like int 0x80
    vmExitRoundTrip: 0, // no VT-x
    pageTableBaseSwitch: 600, // mov cr3 with the implied full TLB flush on NetBurst (refills are charged separately by the walker)
    tlbInvalidatePage: 200, // invlpg on NetBurst
    pteWrite: 10, // one store that hits the cache
    pteValidate: 120, // Xen's per-entry get_page_from_l1e: frame ownership + type/ref-count updates, several cache misses' worth on P4 (estimate from Xen 1.x mm.c path length)
    pageZero: 3900, // 4 KiB at ~2.5 GB/s = 1.6 us
    pageCopy: 8200, // 4 KiB read + write at ~1.2 GB/s effective = 3.4 us
    interruptDelivery: 1800, // external interrupt entry, APIC EOI, iret on NetBurst
    registerSwitch: 400, // save/restore of integer + FPU state (lazy FPU) on a process/vCPU switch
  },
  disk: {
    kind: 'rotating',
    model: 'Hitachi DK32EJ-14 146 GB 10k RPM Ultra320 SCSI', // Xen paper §4
    capacityGiB: 136, // 146 GB decimal
    averageSeekMs: 4.9, // Hitachi DK32EJ data sheet: average read seek 4.9 ms
    rpm: 10025, // data sheet
    transferMBps: 70, // data sheet media rate 47.8-89.3 MB/s; mid-zone
    requestLatencyUs: 100, // SCSI command and controller overhead
  },
  nic: { model: 'Broadcom Tigon 3 (BCM5703) 1 GbE', gbps: 1, sriovVirtualFunctions: 0, iommu: false }, // Xen paper §4
  link: { gbps: 1, latencyUs: 30 }, // gigabit switch + NIC latency of the era, one way
};
