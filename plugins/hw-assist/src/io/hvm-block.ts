import {
  CostCategory,
  CpuEvents,
  GuestTransitions,
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
import { HW_ASSIST_PATH } from '../hw-assist-path-lengths.js';
import { HwAssistOptions } from '../hw-assist-options.js';
import { HvmMemory } from '../memory/hvm-memory.js';

/**
 * Guest disks under hardware assistance: virtio-blk rings (SR-IOV NICs have no disk
 * functions). Each request kicks the host (a VM exit), the host submits it to its partition
 * of the physical disk, the device DMAs into the guest's frames, and the completion
 * interrupt arrives by exit or posted.
 *
 * @public
 */
@injectable()
export class HvmBlock implements BlockBackend {
  readonly #partitions: DiskPartitions;
  readonly #posted: boolean;

  constructor(
    @inject(Machine) readonly machine: Machine,
    @inject(MemoryVirtualization) readonly memory: MemoryVirtualization,
    @inject(HvmMemory) readonly hvm: HvmMemory,
    @inject(HwAssistOptions) options: HwAssistOptions,
    @inject(CpuEvents) readonly cpuEvents: CpuEvents,
    @inject(GuestTransitions) readonly transitions: GuestTransitions,
    @inject(IoEvents) readonly events: IoEvents,
  ) {
    this.#partitions = new DiskPartitions(machine.disks[0]!, machine.memory);
    this.#posted = options.interrupts === 'posted';
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
    const p = this.machine.profile;
    vcpu.charge(CostCategory.GuestKernel, HW_ASSIST_PATH.value.virtioBlkDriver * p.cpu.kernelCpi);
    vcpu.count(MechanismIndex.DiskRequest);
    this.transitions.vmExit(vcpu, 'virtio-blk-kick', HW_ASSIST_PATH.value.virtioBlkBackend * p.cpu.kernelCpi);
    if (!this.#partitions.inRange(part, request.sector, count)) {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      this.machine.sim.schedule(0, () => done('out-of-range'));
      return;
    }
    // Populated by the host on first use, then taken through the paging point with the DMA's
    // intent (a disk read writes the buffers), so a wrapper sees the device's writes.
    const access = request.operation === 'read' ? 'write' : 'read';
    const mfns = request.frames.map((gfn) => {
      this.hvm.populate(vcpu, gfn);
      return this.memory.machineFrame(vcpu.domain, gfn, access);
    });
    if (this.events.ioObserved)
      this.events.emitIo({ time: vcpu.now(), domainId: vcpu.domain.id, kind: 'disk-request', bytes: count * SECTOR_SIZE, detail: request.operation });
    const first = part.start + request.sector;
    this.#partitions.disk.submit(
      first,
      count,
      () => {
        if (!this.#partitions.dma(request.operation, first, mfns)) return done('error');
        // The completion interrupt: an exit the vCPU owes unless interrupts are posted.
        if (!this.#posted) this.transitions.owedVmExit(vcpu, 'blk-completion');
        vcpu.defer(CostCategory.GuestKernel, p.costs.interruptDelivery);
        done('ok');
      },
      vcpu.domain,
    );
  }
}
