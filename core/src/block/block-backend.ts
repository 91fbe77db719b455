import type { DomainObserver } from '../domain/domain-observer.js';
import type { Domain } from '../domain/domain.js';
import type { Vcpu } from '../domain/vcpu.js';
import type { Gfn } from '../units/units.js';

/**
 * Token for the {@link BlockBackend} extension point.
 *
 * @public
 */
export const BlockBackend = Symbol.for('visorkit.BlockBackend');

/**
 * Bytes per sector.
 *
 * @public
 */
export const SECTOR_SIZE = 512;

/**
 * One block request: whole 4 KiB guest frames, DMA'd to or from the disk.
 *
 * @public
 */
export interface BlockRequest {
  readonly operation: 'read' | 'write';
  /** First sector on the domain's virtual disk. */
  readonly sector: number;
  /** Guest frames the data goes to or comes from, 8 sectors each, in order. */
  readonly frames: readonly Gfn[];
}

/**
 * Completion status of a block request.
 *
 * @public
 */
export type BlockStatus = 'ok' | 'out-of-range' | 'error';

/**
 * A domain's disk: native drives the device directly; Xen PV goes through a ring to Xen,
 * which translates the virtual block device's extents (set by Dom0) and DMAs into guest
 * pages; SR-IOV-style devices are assigned. Data written must read back byte-identical, and
 * no request may touch sectors outside the domain's extents.
 *
 * @public
 */
export interface BlockBackend extends DomainObserver {
  /** Gives `domain` a virtual disk of `sectors` sectors; returns its device number. */
  attachDisk(domain: Domain, sectors: number): number;
  /** Sectors of a domain's virtual disk. */
  diskSectors(domain: Domain, device: number): number;
  /**
   * Submits a request from `vcpu` (charged for the submission path). `done` runs when the
   * data has arrived (simulated time later), with the status.
   */
  submit(vcpu: Vcpu, device: number, request: BlockRequest, done: (status: BlockStatus) => void): void;
}
