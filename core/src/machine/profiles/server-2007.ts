import type { MachineProfile } from '../machine-profile.js';

/**
 * The class of server the container paper measured on (Soltesz et al., "Container-based
 * Operating System Virtualization", EuroSys 2007): a 2006–07 dual-socket Xeon server with
 * Core-microarchitecture Xeon 5100 ("Woodcrest") processors, 4 GB RAM, SAS disks, gigabit
 * NICs, running Linux 2.6 with PAE paging. Its micro-benchmarks are uniprocessor. We model
 * that class, not a verified exact model: values come from Intel's data sheets and
 * optimisation manual for the Xeon 5160 (3.0 GHz, 4 MB shared L2). First-generation VT-x is
 * present (no EPT, no VPID).
 */
export const server2007: MachineProfile = {
  name: 'server-2007',
  description: 'Xeon 5160-class (Core 2, 3.0 GHz), 4 GB, 10k RPM SAS, gigabit NIC: the VServer paper testbed class',
  year: 2007,
  cpu: {
    model: 'Intel Xeon 5160 class (Core, Woodcrest) 3.0 GHz',
    clockGhz: 3.0, // Xeon 5160 data sheet
    cores: 2,
    kernelCpi: 1.3, // Core microarchitecture sustains ~1 IPC on kernel paths with cache misses (Intel optimisation manual, §2.1)
    hardwareVirtualization: true, // VT-x since Xeon 5000/5100 (2006)
    nestedPaging: false, // EPT arrived with Nehalem (2008)
    taggedTlb: false, // VPID arrived with Nehalem
  },
  memory: {
    sizeMiB: 4096,
    referenceLatencyNs: 105, // FB-DIMM DDR2-667 platforms: ~100-110 ns load-to-use
    cacheHitCycles: 14, // Core 2 L2 hit latency 14 cycles (Intel optimisation manual)
    pageTableFormat: 'pae-3-level', // 32-bit PAE kernels of the paper's Linux 2.6 / Xen 3 era
    bandwidthGBps: 6, // single-thread copy/zero bandwidth on a Bensley platform (STREAM-class)
  },
  cache: { l1dKiB: 32, l2KiB: 4096, llcKiB: 4096, lineBytes: 64 }, // Xeon 5160: 32 KB L1D, 4 MB shared L2
  tlb: {
    entries: 256, // Core 2: 16-entry L0 DTLB + 256-entry L1 DTLB (4 KB pages), 4-way
    ways: 4,
    largePageEntries: 32, // large-page DTLB entries
    pageWalkCacheEntries: 0, // (paging-structure caches are modelled only where nested walks need them)
  },
  costs: {
    syscallRoundTrip: 280, // sysenter/sysexit + entry code on Core 2 (~ 100 ns null call)
    trapRoundTrip: 650, // exception delivery + iret on Core 2
    hypercallRoundTrip: 450, // int 0x82 ring 1 -> ring 0 -> iret
    vmExitRoundTrip: 1500, // first-generation VT-x (Merom/Woodcrest) exit+entry ~1400-1600 cycles (VMware's per-generation VT latency figures, Adams & Agesen ASPLOS 2006 for the P4 predecessor ~2400)
    pageTableBaseSwitch: 250, // mov cr3 + untagged flush on Core 2
    tlbInvalidatePage: 120, // invlpg
    pteWrite: 6,
    pteValidate: 80, // Xen 3 get_page_type/get_page_from_l1e path per entry (estimate from mm.c path length)
    pageZero: 2050, // 4 KiB at ~6 GB/s = 0.68 us
    pageCopy: 3500, // 4 KiB at ~3.5 GB/s effective copy = 1.17 us
    interruptDelivery: 900,
    registerSwitch: 220,
  },
  disk: {
    kind: 'rotating',
    model: '146 GB 10k RPM SAS (Seagate Savvio 10K.2 class)',
    capacityGiB: 136,
    averageSeekMs: 4.1, // Savvio 10K.2 data sheet: 4.1 ms average read seek
    rpm: 10000,
    transferMBps: 85, // data sheet sustained rate, mid-zone
    requestLatencyUs: 80,
  },
  nic: { model: 'Intel 82571EB 1 GbE', gbps: 1, sriovVirtualFunctions: 0, iommu: false },
  link: { gbps: 1, latencyUs: 25 },
};
