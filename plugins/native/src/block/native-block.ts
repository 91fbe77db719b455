import {
  CostCategory,
  GuestRequestError,
  IoEvents,
  Machine,
  MechanismIndex,
  PAGE_SIZE,
  SECTOR_SIZE,
  inject,
  injectable,
  type BlockBackend,
  type BlockRequest,
  type BlockStatus,
  type Domain,
  type Vcpu,
} from '@visorkit/core';
import { NativeMemory } from '../memory/native-memory.js';

/** Instructions of the block driver per request (queueing, descriptor setup, completion). */
const DRIVER_INSTRUCTIONS = 2500;
const SECTORS_PER_FRAME = PAGE_SIZE / SECTOR_SIZE;

interface Partition {
  readonly domain: Domain;
  readonly start: number;
  readonly sectors: number;
}

/**
 * Bare-metal block I/O: each domain's disk is a contiguous partition of the machine's first
 * disk; the driver queues requests to the device, which DMAs straight into the guest's
 * frames. A request beyond the partition completes with 'out-of-range' and touches nothing.
 */
@injectable()
export class NativeBlock implements BlockBackend {
  readonly #partitions: Partition[] = [];
  #nextSector = 0;
  readonly #buffer = new Uint8Array(SECTOR_SIZE);

  constructor(
    @inject(Machine) readonly machine: Machine,
    @inject(NativeMemory) readonly memory: NativeMemory,
    @inject(IoEvents) readonly events: IoEvents,
  ) {}

  attachDisk(domain: Domain, sectors: number): number {
    const disk = this.machine.disks[0]!;
    if (!Number.isInteger(sectors) || sectors <= 0) throw new GuestRequestError(domain.name, 'attach disk', `size ${sectors} sectors is not a positive integer`);
    if (this.#nextSector + sectors > disk.sectors) throw new GuestRequestError(domain.name, 'attach disk', `no room for ${sectors} sectors on a ${disk.sectors}-sector disk`);
    this.#partitions.push({ domain, start: this.#nextSector, sectors });
    this.#nextSector += sectors;
    return this.#partitions.length - 1;
  }

  diskSectors(domain: Domain, device: number): number {
    return this.#partition(domain, device).sectors;
  }

  submit(vcpu: Vcpu, device: number, request: BlockRequest, done: (status: BlockStatus) => void): void {
    const part = this.#partition(vcpu.domain, device);
    const count = request.frames.length * SECTORS_PER_FRAME;
    vcpu.charge(CostCategory.GuestKernel, DRIVER_INSTRUCTIONS * this.machine.profile.cpu.kernelCpi);
    vcpu.count(MechanismIndex.DiskRequest);
    const sim = this.machine.sim;
    if (!(request.sector >= 0 && Number.isInteger(request.sector) && request.sector + count <= part.sectors)) {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      sim.schedule(0, () => done('out-of-range'));
      return;
    }
    // Resolve the frames now (the request's buffers are pinned while in flight).
    const mfns = request.frames.map((gfn) => {
      const mfn = this.memory.machineFrame(vcpu.domain, gfn);
      if (mfn >= 0) return mfn;
      this.memory.zeroFrame(vcpu, gfn);
      return this.memory.machineFrame(vcpu.domain, gfn);
    });
    if (this.events.ioObserved) this.events.emitIo({ time: vcpu.now(), domainId: vcpu.domain.id, kind: 'disk-request', bytes: count * SECTOR_SIZE, detail: request.operation });
    const disk = this.machine.disks[0]!;
    const first = part.start + request.sector;
    disk.submit(first, count, () => {
      this.#dma(request.operation, first, mfns);
      done('ok');
    });
  }

  /** Moves the data between the disk's sectors and the machine frames. */
  #dma(operation: 'read' | 'write', firstSector: number, mfns: readonly number[]): void {
    const disk = this.machine.disks[0]!;
    const ram = this.machine.memory;
    const buf = this.#buffer;
    for (let f = 0; f < mfns.length; f++) {
      for (let s = 0; s < SECTORS_PER_FRAME; s++) {
        const sector = firstSector + f * SECTORS_PER_FRAME + s;
        if (operation === 'write') {
          ram.readBytes(mfns[f]!, s * SECTOR_SIZE, buf);
          disk.write(sector, buf);
        } else {
          ram.writeBytes(mfns[f]!, s * SECTOR_SIZE, disk.read(sector));
        }
      }
    }
  }

  #partition(domain: Domain, device: number): Partition {
    const part = this.#partitions[device];
    if (part === undefined || part.domain !== domain) throw new GuestRequestError(domain.name, 'block request', `device ${device} is not one of its disks`);
    return part;
  }
}
