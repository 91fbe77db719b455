/**
 * Token for the xen-pv plugin's options.
 *
 * @public
 */
export const XenPvOptions = Symbol.for('visorkit.XenPvOptions');

/**
 * Options of the xen-pv plugin. Names are public interface.
 *
 * @public
 */
export interface XenPvOptions {
  /**
   * How guest page-table updates reach Xen: `batched` — every update is an `mmu_update`
   * request, queued by the guest (XenoLinux 1.x's queue_l1_entry_update, not only in lazy-MMU
   * sections) and sent as one validated batch when the queue fills or before anything needs
   * the tables current (Xen 1.x); `writable` — leaf tables are written
   * directly after a first-write trap unhooks them, and revalidated on reconnect (Xen 2.0 to
   * 3.0.2); `emulated` — the guest's batched updates are `mmu_update` requests and any other
   * write to a page table traps and is emulated and validated one by one (Xen 3.0.3 on, which
   * dropped the unhooking logic; the Xen 3 of the seed's 2007 measurements).
   */
  readonly pageTableMode: 'batched' | 'writable' | 'emulated';
  /** Most `mmu_update` requests per hypercall (a multicall batch). */
  readonly batchSize: number;
  /** System calls go straight to the guest kernel in ring 1 (validated fast handlers). */
  readonly fastSystemCalls: boolean;
  /** vCPU scheduler: borrowed virtual time (Xen 1.x) or the credit scheduler (Xen 3). */
  readonly scheduler: 'bvt' | 'credit';
  /** Network receive path: page flipping (the seed's) or copying. */
  readonly receive: 'flip' | 'copy';
  /** Where the split-driver back ends run: in Xen itself (1.x) or in Dom0 (2/3). */
  readonly backend: 'xen' | 'dom0';
}

/**
 * Xen 3's defaults.
 *
 * @public
 */
export const XEN_PV_DEFAULTS: XenPvOptions = {
  pageTableMode: 'emulated',
  batchSize: 64,
  fastSystemCalls: true,
  scheduler: 'credit',
  receive: 'flip',
  backend: 'dom0',
};
