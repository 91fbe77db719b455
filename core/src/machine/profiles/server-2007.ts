import type { MachineProfile } from '../machine-profile.js';

/**
 * The class of server the container paper measured on (Soltesz et al., "Container-based
 * Operating System Virtualization", EuroSys 2007), which compares Linux 2.6, Linux-VServer and
 * Xen 3 with uniprocessor micro-benchmarks.
 *
 * Testbed: our reading of the paper's experimental set-up (§5) is an HP ProLiant DL360 with
 * two 3.2 GHz Xeon processors (NetBurst, 2 MB L2 each, hyper-threading disabled), 4 GB RAM,
 * Broadcom NetXtreme gigabit NICs and 160 GB 7,200 RPM SATA disks. We could not re-check that
 * text against a copy of the paper here, so the profile models the documented *class*
 * rather than claiming the exact machine. Those single-core "Irwindale" Xeons predate VT-x;
 * because the profile must also host first-generation VT-x experiments (shadow paging, no
 * EPT, no VPID), we take the nearest documented part with the same core, clock and per-core
 * L2 plus VT-x: the 2006 dual-core Xeon 5060 ("Dempsey", 65 nm NetBurst, 3.2 GHz, 2 x 2 MB L2).
 * Two cores, as the paper's dual-socket machine had; its micro-benchmarks used one.
 *
 * Sources, abbreviated below:
 * - [VS §5]    the container paper's testbed description, as summarised above.
 * - [5060 DS]  Intel Dual-Core Xeon Processor 5000 series data sheet (Xeon 5060).
 * - [IA-OPT]   Intel 64 and IA-32 Architectures Optimization Reference Manual, NetBurst
 *              chapter (cache and TLB parameters of family 15 models 3, 4 and 6).
 * - [SDM]      Intel 64 and IA-32 Architectures Software Developer's Manual, Vol. 3.
 * - [A&A]      Adams & Agesen, "A Comparison of Software and Hardware Techniques for x86
 *              Virtualization", ASPLOS 2006 (VT-x on a Prescott-core Pentium 4).
 * - [Agner]    Agner Fog, "Instruction tables" / microarchitecture guide, Pentium 4 sections.
 * - [est]      an estimate; the comment says how it was derived.
 *
 * @public
 */
export const server2007: MachineProfile = {
  name: 'server-2007',
  description: 'Dual 3.2 GHz NetBurst Xeon (2 MB L2 per core, first-generation VT-x), 4 GB, SATA, gigabit NIC: the VServer paper testbed class',
  year: 2007,
  cpu: {
    model: 'Intel Xeon 3.2 GHz NetBurst, 2 MB L2 per core (paper: Irwindale; modelled: Xeon 5060 Dempsey for VT-x)',
    clockGhz: 3.2, // [VS §5] 3.2 GHz; Xeon 5060 is also 3.20 GHz [5060 DS]
    cores: 2, // two sockets in the paper's machine, two cores in a Xeon 5060 [5060 DS]; the paper's micro-benchmarks ran uniprocessor kernels
    kernelCpi: 2.2, // [est] same NetBurst core family as xeon-2003: the 31-stage Prescott-derived pipeline loses ~10% IPC per clock to Northwood [Agner] while its 2 MB L2 and 16 KB L1D miss less, so we keep xeon-2003's 2.2
    hardwareVirtualization: true, // first-generation VT-x (VMX) on the Xeon 5000 series [5060 DS]
    nestedPaging: false, // EPT arrived with Nehalem (Xeon 5500, 2008) [SDM]
    taggedTlb: false, // VPID arrived with Nehalem (2008) [SDM]: every VM entry/exit flushes the TLB
  },
  memory: {
    sizeMiB: 4096, // [VS §5]
    referenceLatencyNs: 120, // [est] NetBurst Xeons on 800-1066 MT/s front-side buses with DDR2-400 (E7520) or FB-DIMM (5000P): ~110-130 ns load-to-use in lat_mem_rd-style measurements; FB-DIMM adds ~10-20 ns per AMB hop
    cacheHitCycles: 27, // L2 hit: [IA-OPT] lists 18 cycles for family-15 models 3/4/6 (best case); dependent-load measurements on Prescott/Irwindale/Dempsey give ~27 cycles, and page walks are dependent loads, so we use 27
    pageTableFormat: 'pae-3-level', // 32-bit PAE kernels of the paper's era (Xen 3 on x86_32 builds PAE by default; 4 GB RAM needs it)
    bandwidthGBps: 3.0, // [est] STREAM-copy-class bandwidth of one NetBurst core on an 800-1066 MT/s FSB (peak 6.4-8.5 GB/s; one core sustains ~35-45% of peak)
  },
  // [IA-OPT] family 15 models 3/4/6: 16 KB 8-way L1D, 64-byte lines; 2 MB 8-way L2 per core [VS §5], [5060 DS]; the L2 is the last level
  cache: { l1dKiB: 16, l2KiB: 2048, llcKiB: 2048, lineBytes: 64 },
  tlb: {
    entries: 64, // [IA-OPT]: NetBurst DTLB has 64 entries, no second-level TLB
    ways: 64, // [IA-OPT]: fully associative
    largePageEntries: 64, // [IA-OPT]: shared between 4 KB and large (2 MB under PAE) pages
    pageWalkCacheEntries: 0, // no paging-structure caches documented on NetBurst (PAE's 4 PDPTE registers are modelled in pageTableBaseSwitch)
    missCycles: 30, // [est] as xeon-2003's 20 on the 31-stage Prescott-derived pipeline, whose replay loop is correspondingly longer (Boggs et al., 'The Microarchitecture of the Intel Pentium 4 Processor on 90nm Technology', Intel Technology Journal Q1 2004): ~30 cycles
  },
  costs: {
    syscallRoundTrip: 500, // [est] Linux 2.6 uses sysenter/sysexit via the vsyscall page (added because int 0x80 was so slow on P4: ~1000 cycles, see xeon-2003); the sysenter/sysexit pair plus 2.6's SAVE_ALL/RESTORE_ALL stubs and segment reloads on NetBurst come to ~500 cycles
    trapRoundTrip: 1300, // [est] exceptions still use interrupt gates + error code + iret (no fast path): xeon-2003's 1200 plus ~10% for Prescott's longer pipeline
    hypercallRoundTrip: 1000, // [est] Xen 3 x86_32 hypercalls are int 0x82 from ring 1 and iret back: the int 0x80-class gate/iret pair (xeon-2003's 950) on the longer Prescott pipeline
    vmExitRoundTrip: 2400, // [A&A] measured a VM exit + VM entry round trip of roughly 2,400 cycles on first-generation VT-x (Prescott-core Pentium 4); Dempsey is the same 65 nm NetBurst generation, so we use that figure (Intel cut it to ~1,500 with Core 2 and ~600 with Nehalem)
    pageTableBaseSwitch: 700, // [est] as xeon-2003's 600 plus PAE: every cr3 write also loads the four PDPTE registers from memory [SDM §4.4.1]
    tlbInvalidatePage: 250, // [est] invlpg is serialising on NetBurst [IA-OPT]; xeon-2003's 200 scaled for the longer pipeline
    pteWrite: 12, // [est] a PAE entry is 8 bytes: Linux 2.6's set_pte writes the high word, a write barrier, then the low word (two stores into the write-through L1D)
    pageZero: 4369, // 4096 B written at 3.0 GB/s = 1.37 us = 4369 cycles (derived from bandwidthGBps)
    pageCopy: 8738, // 4096 B read + 4096 B written at 3.0 GB/s = 2.73 us = 8738 cycles (derived from bandwidthGBps)
    interruptDelivery: 2000, // [est] xeon-2003's 1800 (gate entry + iret + stub + uncached local-APIC EOI) on the longer Prescott pipeline
    registerSwitch: 450, // [est] as xeon-2003's 400 (GPRs, segment reloads, TSS esp0) with Prescott's slower microcoded segment loads [Agner]; lazy FPU switching excluded
  },
  disk: {
    kind: 'rotating',
    model: '160 GB 7,200 RPM SATA (Seagate Barracuda 7200.9 class)', // [VS §5]: 160 GB 7.2k RPM SATA disks
    capacityGiB: 149, // 160 GB decimal = 149 GiB
    averageSeekMs: 8.5, // [est] 2005-06 7,200 RPM desktop/nearline SATA data sheets quote 8-9 ms average read seek
    rpm: 7200, // [VS §5]
    transferMBps: 60, // [est] mid-zone media rate: such 160 GB drives quote ~65-72 MB/s maximum sustained (outer zones) and ~35-40 MB/s inner
    requestLatencyUs: 100, // [est] SATA command and controller overhead of the era, as xeon-2003
  },
  nic: { model: 'Broadcom NetXtreme (BCM5704) 1 GbE', gbps: 1, sriovVirtualFunctions: 0, iommu: false }, // [VS §5]; SR-IOV (spec 2007) and VT-d (2008) were not on this platform
  link: { gbps: 1, latencyUs: 25 }, // [est] gigabit through one switch with 2006-07 NICs: netperf TCP_RR round trips of ~50 us give ~25 us one way
};
