/**
 * No domain: the access happened outside any domain's activity (an event, a tool, the kit).
 *
 * @public
 */
export const NO_ACTOR = -1;

/**
 * How a machine frame was touched by the processor or a device.
 *
 * @public
 */
export type FrameAccessKind = 'read' | 'write' | 'zero' | 'copy-from' | 'copy-to' | 'dma-read' | 'dma-write';

/**
 * One touch of a machine frame, as the RAM saw it: which frame, whose activity it was part of
 * (the domain whose vCPU was running or being served, or {@link NO_ACTOR}) and who owned the
 * frame at that instant (a domain id, `NO_OWNER` or `HYPERVISOR_OWNER`).
 *
 * @public
 */
export interface FrameAccessRecord {
  readonly time: number;
  readonly kind: FrameAccessKind;
  readonly frame: number;
  /** Domain whose activity made the access ({@link NO_ACTOR}: none). For DMA, the domain whose disk partition the transfer belongs to. */
  readonly actor: number;
  /** Owner of the frame when it was touched. */
  readonly owner: number;
}

/**
 * A frame changing hands in the machine's owner table (allocation, release, transfer).
 *
 * @public
 */
export interface OwnershipRecord {
  readonly time: number;
  readonly frame: number;
  readonly from: number;
  readonly to: number;
}

/**
 * What happened in a pCPU's TLB.
 *
 * @public
 */
export type TlbEventKind = 'insert' | 'hit' | 'invalidate' | 'flush-tag' | 'flush-all';

/**
 * One TLB event on one pCPU. `insertedBy` is the domain whose activity filled the entry (for
 * hits and inserts), so a hit during another domain's activity is visible whatever the
 * plugin's tags say.
 *
 * @public
 */
export interface TlbRecord {
  readonly time: number;
  readonly pcpu: number;
  readonly kind: TlbEventKind;
  /** Address-space tag (VPID/ASID/PCID) of the entry or operation (-1 for flush-all). */
  readonly tag: number;
  /** Virtual page (-1 for flushes). */
  readonly page: number;
  /** Cached leaf value (frame × 4096 + flags) for inserts and hits, else -1. */
  readonly value: number;
  /** Domain whose activity caused the event. */
  readonly actor: number;
  /** Domain whose activity inserted the entry (hits and inserts), else {@link NO_ACTOR}. */
  readonly insertedBy: number;
}

/**
 * One burst: what a pCPU ran, from when, for how long (as the core CPU runner dispatched it).
 *
 * @public
 */
export interface RunRecord {
  readonly pcpu: number;
  readonly domain: number;
  readonly vcpu: number;
  readonly start: number;
  readonly durationNs: number;
}

/**
 * A frame on a wire between machines (through a `NetworkSwitch`).
 *
 * @public
 */
export interface WireRecord {
  readonly time: number;
  /** 'out': left this machine's NIC for the switch; 'in': the switch handed it to this machine. */
  readonly direction: 'out' | 'in';
  readonly source: string;
  readonly destination: string;
  readonly bytes: number;
}

/**
 * A transfer queued to a physical disk, with the domain it was queued for.
 *
 * @public
 */
export interface DiskRecord {
  readonly time: number;
  /** Domain the request was queued for (the disk owner argument), or {@link NO_ACTOR}. */
  readonly owner: number;
  readonly sector: number;
  readonly count: number;
}

/**
 * One device transfer between disk sectors and machine frames.
 *
 * @public
 */
export interface DmaRecord {
  readonly time: number;
  readonly operation: 'read' | 'write';
  /** Domain whose partition holds the first sector ({@link NO_ACTOR}: none). */
  readonly domain: number;
  readonly firstSector: number;
  readonly sectors: number;
  /** Machine frames, in order, one per 8 sectors. */
  readonly frames: readonly number[];
}

/**
 * A disk partition handed to a domain.
 *
 * @public
 */
export interface PartitionRecord {
  readonly domain: number;
  readonly start: number;
  readonly sectors: number;
}

/**
 * An alarm fired by the reference time keeping.
 *
 * @public
 */
export interface TimerRecord {
  readonly time: number;
  readonly domain: number;
  readonly clock: 'real' | 'virtual';
  readonly deadline: number;
}

/**
 * One cross-domain TLB use: an entry one domain's activity inserted, hit during another's.
 *
 * @public
 */
export interface TlbLeak {
  readonly time: number;
  readonly pcpu: number;
  readonly tag: number;
  readonly page: number;
  readonly insertedBy: number;
  readonly usedBy: number;
}
