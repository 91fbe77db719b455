import type { MachineProfile } from '../machine-profile.js';

/**
 * The Xen paper's testbed: a Dell PowerEdge 2650 with two 2.4 GHz Intel Xeon processors
 * (NetBurst, "Prestonia"), 2 GB RAM, a Broadcom Tigon 3 gigabit NIC and one Hitachi DK32EJ
 * 146 GB 10k RPM SCSI disk (Barham et al., "Xen and the Art of Virtualization", SOSP 2003, §4).
 * No hardware virtualisation existed yet (VT-x shipped in late 2005), and XenoLinux 2.4 used
 * 32-bit 2-level paging.
 *
 * Sources, abbreviated below:
 * - [Xen §4]   the paper's testbed description (hardware only: no figure of the paper is used).
 * - [IA-OPT]   Intel 64 and IA-32 Architectures Optimization Reference Manual, NetBurst
 *              chapter (cache and TLB parameters of family 15 processors).
 * - [Xeon DS]  Intel Xeon Processor (DP, 130 nm, 512 KB L2) data sheet.
 * - [Agner]    Agner Fog, "Instruction tables" and "The microarchitecture of Intel, AMD and
 *              VIA CPUs", Pentium 4 sections.
 * - [est]      an estimate; the comment says how it was derived.
 *
 * NetBurst's privilege transitions were notoriously slow: interrupt gates, `iret`, `mov cr3`
 * and locked instructions are microcoded and drain its 20-stage pipeline, which is why the
 * cycle costs below are several times a Core 2's.
 *
 * @public
 */
export const xeon2003: MachineProfile = {
  name: 'xeon-2003',
  description: 'Dell 2650, 2 x 2.4 GHz Xeon (NetBurst), 2 GB, 10k RPM SCSI, gigabit NIC: the Xen paper testbed',
  year: 2003,
  cpu: {
    model: 'Intel Xeon DP 2.4 GHz (NetBurst, Prestonia, 512 KB L2)', // [Xen §4]
    clockGhz: 2.4, // [Xen §4]
    cores: 2, // dual-processor server [Xen §4]; hyper-threading not used in the paper's runs
    kernelCpi: 2.2, // [est] NetBurst retires at most 3 uops/cycle, pays ~20 cycles per mispredicted branch and has an 8 KB L1D [Agner, IA-OPT]; branchy kernel code runs at CPI 2-3 on it, and we take the low end because lmbench loops run with warm caches
    hardwareVirtualization: false, // VT-x first shipped in November 2005 (Pentium 4 662/672)
    nestedPaging: false, // EPT arrived with Nehalem (2008)
    taggedTlb: false, // VPID arrived with Nehalem (2008)
  },
  memory: {
    sizeMiB: 2048, // [Xen §4]
    referenceLatencyNs: 140, // [est] P4 Xeon on a 400/533 MT/s front-side bus with registered DDR: lmbench lat_mem_rd figures of 2002-03 P4 servers are 130-160 ns load-to-use
    cacheHitCycles: 20, // L2 hit: [IA-OPT] lists 7 cycles for family-15 models 0-2 (best case, pipelined); dependent-load measurements (lat_mem_rd, cachemem) give ~18-20 cycles, and page walks are dependent loads, so we use 20
    pageTableFormat: '2-level', // 32-bit non-PAE Linux 2.4 / XenoLinux (Xen 1.x had no PAE support; it arrived with Xen 3.0) [Xen §3.3.3]
    bandwidthGBps: 2.0, // [est] STREAM-copy-class bandwidth of one 2.4 GHz Xeon on DDR-266 behind a 400/533 MT/s FSB (peak 3.2-4.3 GB/s; sustained copies reach ~50-60% of peak)
  },
  // [Xeon DS], [IA-OPT]: 8 KB 4-way L1D; 512 KB 8-way L2, the last level (no L3 on this part); 64-byte lines (the L2 fetches 128-byte sectored pairs)
  cache: { l1dKiB: 8, l2KiB: 512, llcKiB: 512, lineBytes: 64 },
  tlb: {
    entries: 64, // [IA-OPT]: NetBurst DTLB has 64 entries (no second-level TLB)
    ways: 64, // [IA-OPT]: fully associative
    largePageEntries: 64, // [IA-OPT]: the same 64 entries hold 4 KB and 4 MB pages
    pageWalkCacheEntries: 0, // no paging-structure caches documented before Core 2 / Nehalem
    missCycles: 20, // [est] NetBurst's hardware page-miss handler: the load that missed the DTLB is replayed until its translation arrives (Hinton et al., 'The Microarchitecture of the Pentium 4 Processor', Intel Technology Journal Q1 2001: loads that miss are replayed), and the walker's start and the DTLB fill cost about one replay loop of the 20-stage pipeline beyond the walk's own loads: ~20 cycles
  },
  costs: {
    syscallRoundTrip: 1000, // int 0x80 + iret on NetBurst, from the processor's microarchitecture (see xeon-2003-sources.ts); not derived from any published lmbench table
    trapRoundTrip: 1200, // [est] the int 0x80 gate/iret pair plus the fault-entry stub and CR2 read
    hypercallRoundTrip: 1000, // int 0x82 from ring 1 and iret back [Xen §3.1]: the same gate/iret pair as int 0x80
    vmExitRoundTrip: 0, // no VT-x
    pageTableBaseSwitch: 600, // [est] mov cr3 is serialising, drains the NetBurst pipeline and flushes the 64-entry DTLB and 128-entry ITLB; several hundred cycles before refills (refill walks are charged separately)
    tlbInvalidatePage: 200, // [est] invlpg is serialising on NetBurst ([IA-OPT] lists it among serialising instructions); ~1/3 of a cr3 write
    pteWrite: 10, // one 4-byte store; NetBurst's L1D is write-through [IA-OPT], so the store is absorbed by the L2 (a few to ~10 cycles)
    pageZero: 4915, // 4096 B written at 2.0 GB/s = 2.05 us = 4915 cycles (derived from bandwidthGBps)
    pageCopy: 9830, // 4096 B read + 4096 B written at 2.0 GB/s = 4.1 us = 9830 cycles (derived from bandwidthGBps)
    interruptDelivery: 1800, // [est] interrupt-gate entry and iret (~trap round trip, 1200) plus the IRQ stub and an uncached local-APIC EOI / I/O-APIC access (hundreds of cycles each on a 2003 chipset)
    registerSwitch: 400, // [est] save/restore of 8 GPRs, reload of 4 segment registers (each a microcoded descriptor load of ~20-30 cycles on NetBurst [Agner]) and the TSS esp0 update; FPU state is switched lazily and not included
  },
  disk: {
    kind: 'rotating',
    model: 'Hitachi DK32EJ-14 146 GB 10k RPM Ultra320 SCSI', // [Xen §4]
    capacityGiB: 136, // 146.8 GB (decimal, Hitachi DK32EJ data sheet) = 136.7 GiB
    averageSeekMs: 4.9, // Hitachi DK32EJ data sheet: 4.9 ms average read seek (2002 10k RPM enterprise drives quote 4.7-5.2 ms)
    rpm: 10025, // Hitachi DK32EJ data sheet (Hitachi's "10k" spindles turn at 10,025 RPM)
    transferMBps: 70, // [est] mid-zone media rate: the drive's quoted media rate spans roughly 50 MB/s (inner) to 90 MB/s (outer zones)
    requestLatencyUs: 100, // [est] SCSI command overhead of the era (drive spec ~0.1-0.2 ms including the Ultra320 adapter)
  },
  nic: { model: 'Broadcom Tigon 3 (BCM570x NetXtreme) 1 GbE', gbps: 1, sriovVirtualFunctions: 0, iommu: false }, // [Xen §4]; SR-IOV (2007 spec) and VT-d (2008) did not exist
  link: { gbps: 1, latencyUs: 30 }, // [est] gigabit Ethernet through one switch: 2003 netperf TCP_RR round trips of ~60 us give ~30 us one way (NIC interrupt moderation dominates)
};
