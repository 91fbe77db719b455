import {
  CostCategory,
  DiskPartitions,
  IoEvents,
  Machine,
  MechanismIndex,
  MemoryVirtualization,
  SECTORS_PER_FRAME,
  SECTOR_SIZE,
  inject,
  injectable,
  type BlockBackend,
  type BlockRequest,
  type BlockStatus,
  type Domain,
  type Vcpu,
} from '@visorkit/core';
import { NATIVE_PATH } from '../native-path-lengths.js';

/**
 * Bare-metal block I/O: each domain's disk is a contiguous partition of the machine's first
 * disk; the driver queues requests to the device, which DMAs straight into the guest's
 * frames. A request beyond the partition completes with 'out-of-range' and touches nothing.
 *
 * @public
 */
@injectable()
export class NativeBlock implements BlockBackend {
  readonly #partitions: DiskPartitions;

  constructor(
    @inject(Machine) readonly machine: Machine,
    @inject(MemoryVirtualization) readonly memory: MemoryVirtualization,
    @inject(IoEvents) readonly events: IoEvents,
  ) {
    this.#partitions = new DiskPartitions(machine.disks[0]!, machine.memory);
  }

  attachDisk(domain: Domain, sectors: number): number {
    return this.#partitions.attach(domain, sectors);
  }

  diskSectors(domain: Domain, device: number): number {
    return this.#partitions.get(domain, device).sectors;
  }

  submit(vcpu: Vcpu, device: number, request: BlockRequest, done: (status: BlockStatus) => void): void {
    const part = this.#partitions.get(vcpu.domain, device);
    const count = request.frames.length * SECTORS_PER_FRAME;
    vcpu.charge(CostCategory.GuestKernel, NATIVE_PATH.value.blockDriver * this.machine.profile.cpu.kernelCpi);
    vcpu.count(MechanismIndex.DiskRequest);
    if (!this.#partitions.inRange(part, request.sector, count)) {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      this.machine.sim.schedule(0, () => done('out-of-range'));
      return;
    }
    // The buffers are resolved (and pinned) when the request is queued.
    // A disk read DMAs into the buffers: the domain's memory is written.
    const access = request.operation === 'read' ? 'write' : 'read';
    const mfns = request.frames.map((gfn) => {
      if (this.memory.machineFrame(vcpu.domain, gfn, 'read') < 0) this.memory.zeroFrame(vcpu, gfn);
      return this.memory.machineFrame(vcpu.domain, gfn, access);
    });
    if (this.events.ioObserved)
      this.events.emitIo({ time: vcpu.now(), domainId: vcpu.domain.id, kind: 'disk-request', bytes: count * SECTOR_SIZE, detail: request.operation });
    const first = part.start + request.sector;
    this.#partitions.disk.submit(
      first,
      count,
      () => {
        done(this.#partitions.dma(request.operation, first, mfns) ? 'ok' : 'error');
      },
      vcpu.domain,
    );
  }
}
