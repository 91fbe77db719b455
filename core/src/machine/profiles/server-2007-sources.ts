import type { ProfileSources } from '../../calibration/profile-parameters.js';

/**
 * Where each of server2007's numbers comes from (its calibration-ledger sources; the
 * abbreviations are defined in the profile's file).
 *
 * @public
 */
export const server2007Sources: ProfileSources = {
  'cpu.clockGhz': '[VS §5] 3.2 GHz; Xeon 5060 is also 3.20 GHz [5060 DS]',
  'cpu.cores': "two sockets in the paper's machine, two cores in a Xeon 5060 [5060 DS]; the paper's micro-benchmarks ran uniprocessor kernels",
  'cpu.kernelCpi':
    "[est] same NetBurst core family as xeon-2003: the 31-stage Prescott-derived pipeline loses ~10% IPC per clock to Northwood [Agner] while its 2 MB L2 and 16 KB L1D miss less, so we keep xeon-2003's 2.2",
  'memory.sizeMiB': '[VS §5]',
  'memory.referenceLatencyNs':
    '[est] NetBurst Xeons on 800-1066 MT/s front-side buses with DDR2-400 (E7520) or FB-DIMM (5000P): ~110-130 ns load-to-use in lat_mem_rd-style measurements; FB-DIMM adds ~10-20 ns per AMB hop',
  'memory.cacheHitCycles':
    'L2 hit: [IA-OPT] lists 18 cycles for family-15 models 3/4/6 (best case); dependent-load measurements on Prescott/Irwindale/Dempsey give ~27 cycles, and page walks are dependent loads, so we use 27',
  'memory.bandwidthGBps':
    '[est] STREAM-copy-class bandwidth of one NetBurst core on an 800-1066 MT/s FSB (peak 6.4-8.5 GB/s; one core sustains ~35-45% of peak)',
  'cache.l1dKiB': '[IA-OPT] family 15 models 3/4/6: 16 KB 8-way L1D, 64-byte lines; 2 MB 8-way L2 per core [VS §5], [5060 DS]; the L2 is the last level',
  'cache.l2KiB': '[IA-OPT] family 15 models 3/4/6: 16 KB 8-way L1D, 64-byte lines; 2 MB 8-way L2 per core [VS §5], [5060 DS]; the L2 is the last level',
  'cache.llcKiB': '[IA-OPT] family 15 models 3/4/6: 16 KB 8-way L1D, 64-byte lines; 2 MB 8-way L2 per core [VS §5], [5060 DS]; the L2 is the last level',
  'cache.lineBytes': '[IA-OPT] family 15 models 3/4/6: 16 KB 8-way L1D, 64-byte lines; 2 MB 8-way L2 per core [VS §5], [5060 DS]; the L2 is the last level',
  'tlb.entries': '[IA-OPT]: NetBurst DTLB has 64 entries, no second-level TLB',
  'tlb.ways': '[IA-OPT]: fully associative',
  'tlb.largePageEntries': '[IA-OPT]: shared between 4 KB and large (2 MB under PAE) pages',
  'tlb.pageWalkCacheEntries': "no paging-structure caches documented on NetBurst (PAE's 4 PDPTE registers are modelled in pageTableBaseSwitch)",
  'tlb.missCycles':
    "[est] as xeon-2003's 20 on the 31-stage Prescott-derived pipeline, whose replay loop is correspondingly longer (Boggs et al., 'The Microarchitecture of the Intel Pentium 4 Processor on 90nm Technology', Intel Technology Journal Q1 2004): ~30 cycles",
  'costs.syscallRoundTrip':
    "[est] Linux 2.6 uses sysenter/sysexit via the vsyscall page (added because int 0x80 was so slow on P4: ~1000 cycles, see xeon-2003); the sysenter/sysexit pair plus 2.6's SAVE_ALL/RESTORE_ALL stubs and segment reloads on NetBurst come to ~500 cycles",
  'costs.trapRoundTrip':
    "[est] exceptions still use interrupt gates + error code + iret (no fast path): xeon-2003's 1200 plus ~10% for Prescott's longer pipeline",
  'costs.hypercallRoundTrip':
    "[est] Xen 3 x86_32 hypercalls are int 0x82 from ring 1 and iret back: the int 0x80-class gate/iret pair (xeon-2003's 950) on the longer Prescott pipeline",
  'costs.vmExitRoundTrip':
    '[A&A] measured a VM exit + VM entry round trip of roughly 2,400 cycles on first-generation VT-x (Prescott-core Pentium 4); Dempsey is the same 65 nm NetBurst generation, so we use that figure (Intel cut it to ~1,500 with Core 2 and ~600 with Nehalem)',
  'costs.pageTableBaseSwitch': "[est] as xeon-2003's 600 plus PAE: every cr3 write also loads the four PDPTE registers from memory [SDM §4.4.1]",
  'costs.tlbInvalidatePage': "[est] invlpg is serialising on NetBurst [IA-OPT]; xeon-2003's 200 scaled for the longer pipeline",
  'costs.pteWrite':
    "[est] a PAE entry is 8 bytes: Linux 2.6's set_pte writes the high word, a write barrier, then the low word (two stores into the write-through L1D)",
  'costs.pageZero': '4096 B written at 3.0 GB/s = 1.37 us = 4369 cycles (derived from bandwidthGBps)',
  'costs.pageCopy': '4096 B read + 4096 B written at 3.0 GB/s = 2.73 us = 8738 cycles (derived from bandwidthGBps)',
  'costs.interruptDelivery': "[est] xeon-2003's 1800 (gate entry + iret + stub + uncached local-APIC EOI) on the longer Prescott pipeline",
  'costs.registerSwitch':
    "[est] as xeon-2003's 400 (GPRs, segment reloads, TSS esp0) with Prescott's slower microcoded segment loads [Agner]; lazy FPU switching excluded",
  'disk.capacityGiB': '160 GB decimal = 149 GiB',
  'disk.averageSeekMs': '[est] 2005-06 7,200 RPM desktop/nearline SATA data sheets quote 8-9 ms average read seek',
  'disk.rpm': '[VS §5]',
  'disk.transferMBps': '[est] mid-zone media rate: such 160 GB drives quote ~65-72 MB/s maximum sustained (outer zones) and ~35-40 MB/s inner',
  'disk.requestLatencyUs': '[est] SATA command and controller overhead of the era, as xeon-2003',
  'nic.gbps': '[VS §5]; SR-IOV (spec 2007) and VT-d (2008) were not on this platform',
  'nic.sriovVirtualFunctions': '[VS §5]; SR-IOV (spec 2007) and VT-d (2008) were not on this platform',
  'link.gbps': '[est] gigabit through one switch with 2006-07 NICs: netperf TCP_RR round trips of ~50 us give ~25 us one way',
  'link.latencyUs': '[est] gigabit through one switch with 2006-07 NICs: netperf TCP_RR round trips of ~50 us give ~25 us one way',
};
