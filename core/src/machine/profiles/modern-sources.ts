import type { ProfileSources } from '../../calibration/profile-parameters.js';

/**
 * Where each of modern's numbers comes from (its calibration-ledger sources; the
 * abbreviations are defined in the profile's file).
 *
 * @public
 */
export const modernSources: ProfileSources = {
  'cpu.clockGhz': 'all-core turbo of the 8480+ (3.0 GHz; base 2.0, single-core max 3.8 [ARK]); [C&C] saw 3.1-3.8 GHz under light load',
  'cpu.cores': 'simulated; the real socket has 56 cores [ARK]',
  'cpu.kernelCpi':
    '[est] Golden Cove is 6-wide, but kernel paths are front-end and branch bound: ~1 instruction per cycle, the usual figure from hardware-counter profiles of kernel code on recent Intel cores',
  'memory.sizeMiB': '[est] a small simulated host; real 2-socket Sapphire Rapids servers carry 256 GB-2 TB of DDR5-4800',
  'memory.referenceLatencyNs': '[C&C] DDR5-4800 behind the mesh: ~105-115 ns idle load-to-use',
  'memory.cacheHitCycles':
    'L2 hit, 16 cycles [IA-OPT Golden Cove table]; the 105 MB mesh L3 costs ~33 ns (~100 cycles) [C&C], but paging-structure entries, which this figure prices, overwhelmingly hit the 2 MB private L2, so we use L2 (a deliberate deviation from "LLC hit")',
  'memory.bandwidthGBps': '[est] single-core copy bandwidth: one Golden Cove core sustains ~15-20 GB/s to DDR5 (a socket reaches ~250 GB/s across 8 channels)',
  'cache.l1dKiB':
    'Golden Cove: 48 KB 12-way L1D, 2 MB 16-way private L2 [IA-OPT]; 105 MB shared L3 on the 56-core 8480+ (1.875 MB per core) [ARK]; 64-byte lines',
  'cache.l2KiB':
    'Golden Cove: 48 KB 12-way L1D, 2 MB 16-way private L2 [IA-OPT]; 105 MB shared L3 on the 56-core 8480+ (1.875 MB per core) [ARK]; 64-byte lines',
  'cache.llcKiB':
    'Golden Cove: 48 KB 12-way L1D, 2 MB 16-way private L2 [IA-OPT]; 105 MB shared L3 on the 56-core 8480+ (1.875 MB per core) [ARK]; 64-byte lines',
  'cache.lineBytes':
    'Golden Cove: 48 KB 12-way L1D, 2 MB 16-way private L2 [IA-OPT]; 105 MB shared L3 on the 56-core 8480+ (1.875 MB per core) [ARK]; 64-byte lines',
  'tlb.entries': 'second-level (STLB) reach for 4 KB pages: 2048 entries [IA-OPT Golden Cove table]; the 64/96-entry L1 DTLBs sit in front of it',
  'tlb.ways': '[IA-OPT] STLB associativity',
  'tlb.largePageEntries': "[IA-OPT] the STLB's entries also hold 2 MB translations (shared with 4 KB pages)",
  'tlb.pageWalkCacheEntries':
    "[est] Intel documents paging-structure caches [SDM §4.10.3] but not their sizes; MMU-cache studies (e.g. Barr, Cox & Rixner, 'Translation caching: skip, don't walk', ISCA 2010) describe caches of tens of PDE/PDPTE entries; we model 32",
  'tlb.missCycles':
    "[est] a miss of the modelled (second-level) TLB: the STLB look-up that missed (~8 cycles, [IA-OPT] STLB hit latency on recent cores) and the walker's start and fill before its paging-structure loads (~12 cycles): ~20 cycles; upper levels served by the paging-structure caches are fewer references, not a smaller fixed cost",
  'costs.syscallRoundTrip':
    "[est] syscall/sysret are ~50-70 cycles together [Agner]; Linux's entry/exit code with eIBRS-era mitigations (no KPTI on this non-Meltdown part) brings a null syscall to ~65-70 ns = ~200 cycles",
  'costs.trapRoundTrip': '[est] exception delivery through the IDT (~150-250 cycles microcoded) + iret (~100) + the page-fault entry/exit code',
  'costs.hypercallRoundTrip':
    '[est] a PV hypercall from a 64-bit guest kernel (ring 3) is a syscall into Xen plus its register save/restore and the return: ~2x a native syscall round trip',
  'costs.vmExitRoundTrip':
    "VMX exit + entry, hardware only: Intel's and VMware's per-generation charts fall from ~2,400 cycles (Prescott) and ~1,500 (Core 2) to ~500 from Nehalem/Sandy Bridge on; KVM's vmcall round trip with its minimal handler measures ~1,000-1,300 cycles on current parts, the rest being software",
  'costs.pageTableBaseSwitch':
    '[est] mov cr3 without PCID reuse: serialising write + flush of non-global entries; with PCID the flush is skipped (the model charges refills separately)',
  'costs.tlbInvalidatePage': '[est] invlpg: ~100-200 cycles on Skylake-and-later cores in published micro-benchmarks; we take the low end for a hot entry',
  'costs.pteWrite': 'one 8-byte store hitting L1 (store latency ~4-5 cycles) [IA-OPT]',
  'costs.pageZero': '4096 B written at 15 GB/s = 0.27 us = 819 cycles (derived from bandwidthGBps)',
  'costs.pageCopy': '4096 B read + 4096 B written at 15 GB/s = 0.55 us = 1638 cycles (derived from bandwidthGBps)',
  'costs.interruptDelivery': '[est] IDT entry + iret (~300) + IRQ stub + x2APIC EOI (an MSR write, ~100 cycles)',
  'costs.registerSwitch': '[est] GPR save/restore + XSAVES/XRSTORS of the modified (init-optimised) extended state; more if AVX-512 state is dirty',
  'disk.capacityGiB': '1.92 TB decimal = 1788 GiB',
  'disk.averageSeekMs': 'flash: no moving head, so no seek (0) [PM9A3]',
  'disk.rpm': 'flash: no spindle (0) [PM9A3]',
  'disk.transferMBps':
    "[est] one rate for reads and writes: between the data sheet's ~2.7 GB/s sequential write and ~6.5 GB/s sequential read [PM9A3], weighted to writes",
  'disk.requestLatencyUs': '[est] 4 KB random read at queue depth 1 on datacenter TLC NVMe: ~70-90 us',
  'nic.gbps': '[E810]: 100 GbE; up to 256 SR-IOV VFs per device, of which we expose 64; VT-d confines VF DMA [ARK]',
  'nic.sriovVirtualFunctions': '[E810]: 100 GbE; up to 256 SR-IOV VFs per device, of which we expose 64; VT-d confines VF DMA [ARK]',
  'link.gbps': '[est] NIC-to-NIC through one data-centre switch with the kernel stack: ~10 us round trip, 5 us one way (RDMA would be ~1-2 us)',
  'link.latencyUs': '[est] NIC-to-NIC through one data-centre switch with the kernel stack: ~10 us round trip, 5 us one way (RDMA would be ~1-2 us)',
};
