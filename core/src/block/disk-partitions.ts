import { GuestRequestError } from '../dispatch/dispatch-errors.js';
import type { Domain } from '../domain/domain.js';
import type { Disk } from '../machine/disk.js';
import type { PhysicalMemory } from '../machine/physical-memory.js';
import { PAGE_SIZE } from '../units/units.js';
import { SECTOR_SIZE } from './block-backend.js';

/**
 * Sectors in one 4 KiB frame.
 *
 * @public
 */
export const SECTORS_PER_FRAME = PAGE_SIZE / SECTOR_SIZE;

/**
 * One domain's slice of a physical disk.
 *
 * @public
 */
export interface DiskPartition {
  readonly domain: Domain;
  /** First physical sector. */
  readonly start: number;
  readonly sectors: number;
}

/**
 * Carves a physical disk into per-domain partitions and moves data between sectors and
 * machine frames (the DMA every block back end ends with). Platforms differ in the path to
 * the disk (driver, ring + Xen, virtio + exits, SR-IOV); they share this bookkeeping.
 *
 * @public
 */
export class DiskPartitions {
  readonly #partitions: DiskPartition[] = [];
  #next = 0;
  readonly #buffer = new Uint8Array(SECTOR_SIZE);

  constructor(
    readonly disk: Disk,
    readonly memory: PhysicalMemory,
  ) {}

  /** Gives `domain` the next `sectors` sectors; returns the device number. */
  attach(domain: Domain, sectors: number): number {
    if (!Number.isInteger(sectors) || sectors <= 0)
      throw new GuestRequestError(domain.name, 'attach disk', `size ${sectors} sectors is not a positive integer`);
    if (this.#next + sectors > this.disk.sectors)
      throw new GuestRequestError(domain.name, 'attach disk', `no room for ${sectors} sectors on a ${this.disk.sectors}-sector disk`);
    this.#partitions.push({ domain, start: this.#next, sectors });
    if (this.memory.recorder !== undefined) this.memory.recorder.onPartition(domain.id, this.#next, sectors);
    this.#next += sectors;
    return this.#partitions.length - 1;
  }

  /** The partition `device` of `domain`; a typed error if it is not the domain's. */
  get(domain: Domain, device: number): DiskPartition {
    const part = this.#partitions[device];
    if (part === undefined || part.domain !== domain) throw new GuestRequestError(domain.name, 'block request', `device ${device} is not one of its disks`);
    return part;
  }

  /** True when `count` sectors from `sector` lie inside the partition. */
  inRange(part: DiskPartition, sector: number, count: number): boolean {
    return Number.isInteger(sector) && sector >= 0 && sector + count <= part.sectors;
  }

  /**
   * Copies between disk sectors (from physical `firstSector`) and machine frames. Returns
   * false, moving nothing, when the partition's domain was destroyed while the request was in
   * flight: its frames went back to the machine (and may be another domain's by now), so the
   * device's transfer is cancelled, as a hypervisor's back end waits out or aborts a dead
   * domain's I/O rather than DMA into memory it no longer holds.
   */
  dma(operation: 'read' | 'write', firstSector: number, mfns: readonly number[]): boolean {
    if (this.#partitionOf(firstSector)?.domain.state === 'destroyed') return false;
    const recorder = this.memory.recorder;
    if (recorder === undefined) {
      this.#transfer(operation, firstSector, mfns);
      return true;
    }
    recorder.onDmaStart(operation, this.#owner(firstSector), firstSector, mfns);
    try {
      this.#transfer(operation, firstSector, mfns);
    } finally {
      recorder.onDmaEnd();
    }
    return true;
  }

  #transfer(operation: 'read' | 'write', firstSector: number, mfns: readonly number[]): void {
    const buf = this.#buffer;
    for (let f = 0; f < mfns.length; f++) {
      for (let s = 0; s < SECTORS_PER_FRAME; s++) {
        const sector = firstSector + f * SECTORS_PER_FRAME + s;
        if (operation === 'write') {
          this.memory.readBytes(mfns[f]!, s * SECTOR_SIZE, buf);
          this.disk.write(sector, buf);
        } else {
          this.memory.writeBytes(mfns[f]!, s * SECTOR_SIZE, this.disk.peek(sector));
        }
      }
    }
  }

  /** The domain id whose partition holds physical `sector` (-1: none). */
  #owner(sector: number): number {
    return this.#partitionOf(sector)?.domain.id ?? -1;
  }

  #partitionOf(sector: number): DiskPartition | undefined {
    for (const p of this.#partitions) if (sector >= p.start && sector < p.start + p.sectors) return p;
    return undefined;
  }
}
