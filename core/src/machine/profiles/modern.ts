import type { MachineProfile } from '../machine-profile.js';

/**
 * A current server: 4th-generation Intel Xeon Scalable ("Sapphire Rapids", Golden Cove
 * cores) with VT-x, EPT and VPID, 4-level paging, an NVMe flash disk, a 100 GbE NIC with
 * SR-IOV virtual functions, and VT-d. The real part has 56 cores per socket (Xeon Platinum
 * 8480+); we simulate two so runs stay small and comparable with the older profiles.
 *
 * Sources, abbreviated below:
 * - [ARK]      Intel product specifications (ark.intel.com) for the Xeon Platinum 8480+.
 * - [IA-OPT]   Intel 64 and IA-32 Architectures Optimization Reference Manual, Golden Cove
 *              chapter (cache and TLB parameters).
 * - [SDM]      Intel 64 and IA-32 Architectures Software Developer's Manual, Vol. 3.
 * - [C&C]      Chips and Cheese, "Sapphire Rapids: Golden Cove Hits Servers" (2023),
 *              measured latencies and clocks of a Xeon Platinum 8480.
 * - [Agner]    Agner Fog, "Instruction tables", Alder Lake P-core (Golden Cove) section.
 * - [PM9A3]    Samsung PM9A3 NVMe SSD data sheet.  [E810] Intel Ethernet E810 data sheet.
 * - [est]      an estimate; the comment says how it was derived.
 *
 * @public
 */
export const modern: MachineProfile = {
  name: 'modern',
  description: 'Xeon Scalable gen 4 class (VT-x, EPT, VPID), 64 GB, NVMe, 100 GbE with SR-IOV and VT-d',
  year: 2023,
  cpu: {
    model: 'Intel Xeon Platinum 8480+ (Sapphire Rapids, Golden Cove), 56 cores, 2.0 GHz base / 3.8 GHz max turbo',
    clockGhz: 3.0, // all-core turbo of the 8480+ (3.0 GHz; base 2.0, single-core max 3.8 [ARK]); [C&C] saw 3.1-3.8 GHz under light load
    cores: 2, // simulated; the real socket has 56 cores [ARK]
    kernelCpi: 1.0, // [est] Golden Cove is 6-wide, but kernel paths are front-end and branch bound: ~1 instruction per cycle, the usual figure from hardware-counter profiles of kernel code on recent Intel cores
    hardwareVirtualization: true, // VT-x [ARK]
    nestedPaging: true, // EPT [ARK], [SDM Vol. 3C, 'VMX support for address translation']
    taggedTlb: true, // VPID (and PCID) [SDM Vol. 3C, 'VMX support for address translation']
  },
  memory: {
    sizeMiB: 65536, // [est] a small simulated host; real 2-socket Sapphire Rapids servers carry 256 GB-2 TB of DDR5-4800
    referenceLatencyNs: 110, // [C&C] DDR5-4800 behind the mesh: ~105-115 ns idle load-to-use
    cacheHitCycles: 16, // L2 hit, 16 cycles [IA-OPT Golden Cove table]; the 105 MB mesh L3 costs ~33 ns (~100 cycles) [C&C], but paging-structure entries, which this figure prices, overwhelmingly hit the 2 MB private L2, so we use L2 (a deliberate deviation from "LLC hit")
    pageTableFormat: '4-level', // x86-64 4-level paging (LA57 5-level exists but Linux defaults to 4 levels on hosts with < 128 TiB of memory)
    bandwidthGBps: 15, // [est] single-core copy bandwidth: one Golden Cove core sustains ~15-20 GB/s to DDR5 (a socket reaches ~250 GB/s across 8 channels)
  },
  // Golden Cove: 48 KB 12-way L1D, 2 MB 16-way private L2 [IA-OPT]; 105 MB shared L3 on the 56-core 8480+ (1.875 MB per core) [ARK]; 64-byte lines
  cache: { l1dKiB: 48, l2KiB: 2048, llcKiB: 107520, lineBytes: 64 },
  tlb: {
    entries: 2048, // second-level (STLB) reach for 4 KB pages: 2048 entries [IA-OPT Golden Cove table]; the 64/96-entry L1 DTLBs sit in front of it
    ways: 16, // [IA-OPT] STLB associativity
    largePageEntries: 2048, // [IA-OPT] the STLB's entries also hold 2 MB translations (shared with 4 KB pages)
    pageWalkCacheEntries: 32, // [est] Intel documents paging-structure caches [SDM §4.10.3] but not their sizes; MMU-cache studies (e.g. Barr, Cox & Rixner, 'Translation caching: skip, don't walk', ISCA 2010) describe caches of tens of PDE/PDPTE entries; we model 32
    missCycles: 20, // [est] a miss of the modelled (second-level) TLB: the STLB look-up that missed (~8 cycles, [IA-OPT] STLB hit latency on recent cores) and the walker's start and fill before its paging-structure loads (~12 cycles): ~20 cycles; upper levels served by the paging-structure caches are fewer references, not a smaller fixed cost
  },
  costs: {
    syscallRoundTrip: 200, // [est] syscall/sysret are ~50-70 cycles together [Agner]; Linux's entry/exit code with eIBRS-era mitigations (no KPTI on this non-Meltdown part) brings a null syscall to ~65-70 ns = ~200 cycles
    trapRoundTrip: 500, // [est] exception delivery through the IDT (~150-250 cycles microcoded) + iret (~100) + the page-fault entry/exit code
    hypercallRoundTrip: 400, // [est] a PV hypercall from a 64-bit guest kernel (ring 3) is a syscall into Xen plus its register save/restore and the return: ~2x a native syscall round trip
    vmExitRoundTrip: 500, // VMX exit + entry, hardware only: Intel's and VMware's per-generation charts fall from ~2,400 cycles (Prescott) and ~1,500 (Core 2) to ~500 from Nehalem/Sandy Bridge on; KVM's vmcall round trip with its minimal handler measures ~1,000-1,300 cycles on current parts, the rest being software
    pageTableBaseSwitch: 200, // [est] mov cr3 without PCID reuse: serialising write + flush of non-global entries; with PCID the flush is skipped (the model charges refills separately)
    tlbInvalidatePage: 100, // [est] invlpg: ~100-200 cycles on Skylake-and-later cores in published micro-benchmarks; we take the low end for a hot entry
    pteWrite: 4, // one 8-byte store hitting L1 (store latency ~4-5 cycles) [IA-OPT]
    pageZero: 819, // 4096 B written at 15 GB/s = 0.27 us = 819 cycles (derived from bandwidthGBps)
    pageCopy: 1638, // 4096 B read + 4096 B written at 15 GB/s = 0.55 us = 1638 cycles (derived from bandwidthGBps)
    interruptDelivery: 600, // [est] IDT entry + iret (~300) + IRQ stub + x2APIC EOI (an MSR write, ~100 cycles)
    registerSwitch: 150, // [est] GPR save/restore + XSAVES/XRSTORS of the modified (init-optimised) extended state; more if AVX-512 state is dirty
  },
  disk: {
    kind: 'flash',
    model: 'Samsung PM9A3 1.92 TB U.2 NVMe (PCIe 4.0)', // [PM9A3]
    capacityGiB: 1788, // 1.92 TB decimal = 1788 GiB
    averageSeekMs: 0,
    rpm: 0,
    transferMBps: 3000, // [est] one rate for reads and writes: between the data sheet's ~2.7 GB/s sequential write and ~6.5 GB/s sequential read [PM9A3], weighted to writes
    requestLatencyUs: 80, // [est] 4 KB random read at queue depth 1 on datacenter TLC NVMe: ~70-90 us
  },
  // [E810]: 100 GbE; up to 256 SR-IOV VFs per device, of which we expose 64; VT-d confines VF DMA [ARK]
  nic: { model: 'Intel E810-CQDA2 100 GbE', gbps: 100, sriovVirtualFunctions: 64, iommu: true },
  link: { gbps: 100, latencyUs: 5 }, // [est] NIC-to-NIC through one data-centre switch with the kernel stack: ~10 us round trip, 5 us one way (RDMA would be ~1-2 us)
};
