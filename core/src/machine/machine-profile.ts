/**
 * A machine profile is data: the simulated hardware's sizes and the primitive costs every
 * derived figure is built from. Nothing in a profile is keyed to a benchmark; a plugin
 * charges these primitives for the mechanism events that really happen in a run.
 *
 * Times of code paths are given in cycles of this machine's clock; device times in the
 * units their data sheets use. Each bundled profile cites its sources beside its values.
 *
 * @public
 */
export interface MachineProfile {
  /** Profile name, e.g. `xeon-2003`. Public interface: keep stable. */
  readonly name: string;
  /** One line for humans. */
  readonly description: string;
  /** Year of the hardware class. */
  readonly year: number;
  readonly cpu: CpuProfile;
  readonly memory: MemoryProfile;
  readonly cache: CacheProfile;
  readonly tlb: TlbProfile;
  /** Primitive costs in cycles. */
  readonly costs: PrimitiveCosts;
  readonly disk: DiskProfile;
  readonly nic: NicProfile;
  /** The link between two machines of this class (for clients and migration). */
  readonly link: LinkProfile;
  /**
   * Plugins' own primitives for this machine, by plugin key — only for a profile a plugin does
   * not know already (see `PluginPrimitives`); their sources go in the profile's sources at
   * `extensions.<key>.<name>`.
   */
  readonly extensions?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/**
 * Processor sizes and virtualisation features.
 *
 * @public
 */
export interface CpuProfile {
  readonly model: string;
  /** Core clock in GHz; converts cycles to nanoseconds. */
  readonly clockGhz: number;
  /** Physical CPUs (cores or hardware threads) the hypervisor schedules on. */
  readonly cores: number;
  /** Average cycles per instruction for kernel code paths (converts path lengths to cycles). */
  readonly kernelCpi: number;
  /** Hardware virtualisation (VT-x / AMD-V). */
  readonly hardwareVirtualization: boolean;
  /** Nested paging (EPT / NPT). */
  readonly nestedPaging: boolean;
  /** Tagged TLB entries (VPID / ASID) so that a world switch need not flush. */
  readonly taggedTlb: boolean;
}

/**
 * Page-table formats of x86 history.
 *
 * @public
 */
export type PageTableFormat = '2-level' | 'pae-3-level' | '4-level';

/**
 * RAM size and latency.
 *
 * @public
 */
export interface MemoryProfile {
  readonly sizeMiB: number;
  /** Latency of one memory reference that misses every cache, in nanoseconds. */
  readonly referenceLatencyNs: number;
  /** Latency of a reference that hits the last-level cache, in cycles. */
  readonly cacheHitCycles: number;
  /** Page-table format the guest kernel builds on this machine. */
  readonly pageTableFormat: PageTableFormat;
  /** Memory bandwidth for bulk copies, in GB/s. */
  readonly bandwidthGBps: number;
}

/**
 * Cache sizes (they set the refill cost of a context switch's working set).
 *
 * @public
 */
export interface CacheProfile {
  readonly l1dKiB: number;
  readonly l2KiB: number;
  /** Last-level cache size. */
  readonly llcKiB: number;
  readonly lineBytes: number;
}

/**
 * TLB geometry.
 *
 * @public
 */
export interface TlbProfile {
  /** Data TLB entries for 4 KiB pages (first level plus second level, combined reach). */
  readonly entries: number;
  /** Associativity of the modelled TLB. */
  readonly ways: number;
  /** Entries for 2 MiB / 4 MiB pages. */
  readonly largePageEntries: number;
  /** Page-walk (paging-structure) cache entries; 0 when the machine has none. */
  readonly pageWalkCacheEntries: number;
  /**
   * A TLB miss's fixed refill cost in cycles, beyond the walk's own memory references (each
   * priced at `memory.cacheHitCycles`): the page-miss handler's start, the fill into the TLB,
   * and the missing access re-issued. See {@link tlbRefillCycles}.
   */
  readonly missCycles: number;
}

/**
 * Primitive costs in cycles.
 *
 * @public
 */
export interface PrimitiveCosts {
  /** A system call's round trip: user to kernel mode and back (sysenter/sysexit or int/iret). */
  readonly syscallRoundTrip: number;
  /** Delivering an exception (e.g. a page fault) to a kernel and returning from it. */
  readonly trapRoundTrip: number;
  /** A hypercall's round trip into a ring-0 hypervisor and back, excluding the handler's work. */
  readonly hypercallRoundTrip: number;
  /** A VM exit plus the following VM entry (hardware world switch), excluding handler work; 0 without VT-x. */
  readonly vmExitRoundTrip: number;
  /** Writing the page-table base (CR3), including the untagged TLB flush it causes. */
  readonly pageTableBaseSwitch: number;
  /** Invalidating one TLB entry (invlpg). */
  readonly tlbInvalidatePage: number;
  /** One store of a page-table entry by the kernel. */
  readonly pteWrite: number;
  /** Zeroing one 4 KiB page. */
  readonly pageZero: number;
  /** Copying one 4 KiB page. */
  readonly pageCopy: number;
  /** Delivering an external interrupt to a kernel and returning from it. */
  readonly interruptDelivery: number;
  /** Saving and restoring a vCPU's or process's register state (no address-space work). */
  readonly registerSwitch: number;
}

/**
 * A disk: rotating (seek + rotation + transfer) or flash.
 *
 * @public
 */
export interface DiskProfile {
  readonly kind: 'rotating' | 'flash';
  readonly model: string;
  readonly capacityGiB: number;
  /** Average seek time in ms (rotating only; 0 for flash). */
  readonly averageSeekMs: number;
  /** Spindle speed (rotating only; 0 for flash). */
  readonly rpm: number;
  /** Sustained media transfer rate in MB/s. */
  readonly transferMBps: number;
  /** Fixed per-request latency in microseconds (controller and flash access). */
  readonly requestLatencyUs: number;
}

/**
 * Network interfaces.
 *
 * @public
 */
export interface NicProfile {
  readonly model: string;
  readonly gbps: number;
  /** SR-IOV virtual functions per physical NIC; 0 when the NIC has none. */
  readonly sriovVirtualFunctions: number;
  /** An IOMMU (VT-d / AMD-Vi) confines device DMA. */
  readonly iommu: boolean;
}

/**
 * A point-to-point link between two simulated machines.
 *
 * @public
 */
export interface LinkProfile {
  readonly gbps: number;
  /** One-way latency in microseconds. */
  readonly latencyUs: number;
}
