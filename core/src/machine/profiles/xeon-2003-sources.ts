import type { ProfileSources } from '../../calibration/profile-parameters.js';

/**
 * Where each of xeon2003's numbers comes from (its calibration-ledger sources; the
 * abbreviations are defined in the profile's file).
 *
 * @public
 */
export const xeon2003Sources: ProfileSources = {
  'cpu.clockGhz': '[Xen §4]',
  'cpu.cores': "dual-processor server [Xen §4]; hyper-threading not used in the paper's runs",
  'cpu.kernelCpi':
    '[est] NetBurst retires at most 3 uops/cycle, pays ~20 cycles per mispredicted branch and has an 8 KB L1D [Agner, IA-OPT]; branchy kernel code runs at CPI 2-3 on it, and we take the low end because lmbench loops run with warm caches',
  'memory.sizeMiB': '[Xen §4]',
  'memory.referenceLatencyNs':
    '[est] P4 Xeon on a 400/533 MT/s front-side bus with registered DDR: lmbench lat_mem_rd figures of 2002-03 P4 servers are 130-160 ns load-to-use',
  'memory.cacheHitCycles':
    'L2 hit: [IA-OPT] lists 7 cycles for family-15 models 0-2 (best case, pipelined); dependent-load measurements (lat_mem_rd, cachemem) give ~18-20 cycles, and page walks are dependent loads, so we use 20',
  'memory.bandwidthGBps':
    '[est] STREAM-copy-class bandwidth of one 2.4 GHz Xeon on DDR-266 behind a 400/533 MT/s FSB (peak 3.2-4.3 GB/s; sustained copies reach ~50-60% of peak)',
  'cache.l1dKiB':
    '[Xeon DS], [IA-OPT]: 8 KB 4-way L1D; 512 KB 8-way L2, the last level (no L3 on this part); 64-byte lines (the L2 fetches 128-byte sectored pairs)',
  'cache.l2KiB':
    '[Xeon DS], [IA-OPT]: 8 KB 4-way L1D; 512 KB 8-way L2, the last level (no L3 on this part); 64-byte lines (the L2 fetches 128-byte sectored pairs)',
  'cache.llcKiB':
    '[Xeon DS], [IA-OPT]: 8 KB 4-way L1D; 512 KB 8-way L2, the last level (no L3 on this part); 64-byte lines (the L2 fetches 128-byte sectored pairs)',
  'cache.lineBytes':
    '[Xeon DS], [IA-OPT]: 8 KB 4-way L1D; 512 KB 8-way L2, the last level (no L3 on this part); 64-byte lines (the L2 fetches 128-byte sectored pairs)',
  'tlb.entries': '[IA-OPT]: NetBurst DTLB has 64 entries (no second-level TLB)',
  'tlb.ways': '[IA-OPT]: fully associative',
  'tlb.largePageEntries': '[IA-OPT]: the same 64 entries hold 4 KB and 4 MB pages',
  'tlb.pageWalkCacheEntries': 'no paging-structure caches documented before Core 2 / Nehalem',
  'tlb.missCycles':
    "[est] NetBurst's hardware page-miss handler: the load that missed the DTLB is replayed until its translation arrives (Hinton et al., 'The Microarchitecture of the Pentium 4 Processor', Intel Technology Journal Q1 2001: loads that miss are replayed), and the walker's start and the DTLB fill cost about one replay loop of the 20-stage pipeline beyond the walk's own loads: ~20 cycles",
  'costs.syscallRoundTrip':
    "[est] from the processor, not from any paper we reproduce: Linux 2.4 enters with int 0x80 through an interrupt gate and leaves with iret. On NetBurst both are microcoded and drain the 20-stage pipeline (~2 x 150-250 cycles [Agner, IA-OPT]); system_call's SAVE_ALL/RESTORE_ALL reload three segment registers each way, each a microcoded descriptor load of ~20-30 cycles [Agner], plus ~25 pushes and pops: ~1,000 cycles in all. The P4's int 0x80 slowness is independently documented (LKML 'Intel P6 vs P7 system call performance', Dec 2002), which is why Linux 2.5 adopted sysenter",
  'costs.trapRoundTrip':
    '[est] exception delivery through an interrupt gate pushes an error code and loads CR2, then iret: the int 0x80 gate/iret pair (syscallRoundTrip) plus the fault-entry stub and CR2 read (~200 cycles)',
  'costs.hypercallRoundTrip':
    'a hypercall is a synchronous software trap from ring 1 into ring 0 [Xen §3.1] (int 0x82 in the Xen 1.x source) and iret back: the same gate/iret pair as int 0x80 (syscallRoundTrip)',
  'costs.vmExitRoundTrip': 'no VT-x',
  'costs.pageTableBaseSwitch':
    '[est] mov cr3 is serialising, drains the NetBurst pipeline and flushes the 64-entry DTLB and 128-entry ITLB; several hundred cycles before refills (refill walks are charged separately)',
  'costs.tlbInvalidatePage': '[est] invlpg is serialising on NetBurst ([IA-OPT] lists it among serialising instructions); ~1/3 of a cr3 write',
  'costs.pteWrite': "one 4-byte store; NetBurst's L1D is write-through [IA-OPT], so the store is absorbed by the L2 (a few to ~10 cycles)",
  'costs.pageZero': '4096 B written at 2.0 GB/s = 2.05 us = 4915 cycles (derived from bandwidthGBps)',
  'costs.pageCopy': '4096 B read + 4096 B written at 2.0 GB/s = 4.1 us = 9830 cycles (derived from bandwidthGBps)',
  'costs.interruptDelivery':
    '[est] interrupt-gate entry and iret (~trap round trip, 1200) plus the IRQ stub and an uncached local-APIC EOI / I/O-APIC access (hundreds of cycles each on a 2003 chipset)',
  'costs.registerSwitch':
    '[est] save/restore of 8 GPRs, reload of 4 segment registers (each a microcoded descriptor load of ~20-30 cycles on NetBurst [Agner]) and the TSS esp0 update; FPU state is switched lazily and not included',
  'disk.capacityGiB': '146.8 GB (decimal, Hitachi DK32EJ data sheet) = 136.7 GiB',
  'disk.averageSeekMs': 'Hitachi DK32EJ data sheet: 4.9 ms average read seek (2002 10k RPM enterprise drives quote 4.7-5.2 ms)',
  'disk.rpm': 'Hitachi DK32EJ data sheet (Hitachi\'s "10k" spindles turn at 10,025 RPM)',
  'disk.transferMBps': "[est] mid-zone media rate: the drive's quoted media rate spans roughly 50 MB/s (inner) to 90 MB/s (outer zones)",
  'disk.requestLatencyUs': '[est] SCSI command overhead of the era (drive spec ~0.1-0.2 ms including the Ultra320 adapter)',
  'nic.gbps': '[Xen §4]; SR-IOV (2007 spec) and VT-d (2008) did not exist',
  'nic.sriovVirtualFunctions': '[Xen §4]; SR-IOV (2007 spec) and VT-d (2008) did not exist',
  'link.gbps': '[est] gigabit Ethernet through one switch: 2003 netperf TCP_RR round trips of ~60 us give ~30 us one way (NIC interrupt moderation dominates)',
  'link.latencyUs':
    '[est] gigabit Ethernet through one switch: 2003 netperf TCP_RR round trips of ~60 us give ~30 us one way (NIC interrupt moderation dominates)',
};
