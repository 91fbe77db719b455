import type { MachineProfile } from '../machine-profile.js';

/**
 * A current server: Intel Xeon Scalable 4th generation (Sapphire Rapids) class with VT-x,
 * EPT and VPID, 4-level paging, NVMe flash, a 100 GbE NIC with SR-IOV and an IOMMU (VT-d).
 * The real part has dozens of cores; we simulate two so runs stay small and comparable with
 * the older profiles.
 */
export const modern: MachineProfile = {
  name: 'modern',
  description: 'Xeon Scalable gen 4 class (VT-x, EPT, VPID), 64 GB, NVMe, 100 GbE with SR-IOV and VT-d',
  year: 2023,
  cpu: {
    model: 'Intel Xeon Gold 6400 class (Sapphire Rapids), 3.0 GHz all-core',
    clockGhz: 3.0, // typical all-core turbo of Xeon Gold 64xx parts (Intel ARK)
    cores: 2, // simulated; the real socket has 32-60
    kernelCpi: 1.0, // wide out-of-order core, ~1 IPC on kernel paths
    hardwareVirtualization: true,
    nestedPaging: true, // EPT
    taggedTlb: true, // VPID (and PCID)
  },
  memory: {
    sizeMiB: 65536,
    referenceLatencyNs: 110, // DDR5 on a mesh: ~105-120 ns idle load-to-use
    cacheHitCycles: 16, // L2 hit ~16 cycles on Golden Cove (Intel optimisation manual); paging structures usually hit L1/L2
    pageTableFormat: '4-level',
    bandwidthGBps: 15, // single-core copy/zero bandwidth
  },
  cache: { l1dKiB: 48, l2KiB: 2048, llcKiB: 61440, lineBytes: 64 }, // Golden Cove: 48 KB L1D, 2 MB L2; 60 MB shared LLC on a 32-core part
  tlb: {
    entries: 2048, // STLB: 2048 entries for 4 KB pages (Golden Cove)
    ways: 16,
    largePageEntries: 1024, // STLB entries shared with 2 MB pages
    pageWalkCacheEntries: 32, // paging-structure caches (PML4/PDPT/PDE caches)
  },
  costs: {
    syscallRoundTrip: 200, // syscall/sysret + entry code (no KPTI; ~70 ns)
    trapRoundTrip: 500,
    hypercallRoundTrip: 400,
    vmExitRoundTrip: 500, // VM exit + entry on recent Intel cores ~ 400-600 cycles (published VT round-trip figures fall from ~1500 (Merom) to ~500 (Skylake onwards))
    pageTableBaseSwitch: 200, // mov cr3 (with PCID no flush is needed; untagged use flushes)
    tlbInvalidatePage: 100,
    pteWrite: 4,
    pteValidate: 60,
    pageZero: 820, // 4 KiB at ~15 GB/s
    pageCopy: 1230, // 4 KiB at ~10 GB/s effective copy
    interruptDelivery: 600,
    registerSwitch: 150,
  },
  disk: {
    kind: 'flash',
    model: 'Samsung PM9A3 1.92 TB NVMe class',
    capacityGiB: 1788,
    averageSeekMs: 0,
    rpm: 0,
    transferMBps: 3000, // mixed sequential throughput (data sheet: 6.5 GB/s read, 2.7 GB/s write)
    requestLatencyUs: 80, // 4 KiB random read latency ~70-90 us
  },
  nic: { model: 'Intel E810 100 GbE', gbps: 100, sriovVirtualFunctions: 64, iommu: true }, // E810 supports up to 256 VFs per device; we expose 64
  link: { gbps: 100, latencyUs: 5 },
};
