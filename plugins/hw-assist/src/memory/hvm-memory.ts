import {
  InvalidArgumentError,
  NO_MACHINE_FRAME,
  PagedMemory,
  type Domain,
  type DirtyLogging,
  type Gfn,
  type GuestPhysicalMap,
  type GuestTransitions,
  type Machine,
  type Mechanisms,
  type Mfn,
  type PostCopyPaging,
  type Vcpu,
} from '@visorkit/core';
import { HW_ASSIST_PATH } from '../hw-assist-path-lengths.js';

/** VPIDs a domain's vCPUs use (one each; vCPUs beyond share them round-robin). */
const VPIDS_PER_DOMAIN = 16;

/** The machine, refused (typed error) when its profile has no hardware virtualisation. */
function withHardwareVirtualization(machine: Machine): Machine {
  if (!machine.profile.cpu.hardwareVirtualization) {
    throw new InvalidArgumentError('machine profile', `'${machine.profile.name}' has no hardware virtualisation (VT-x/AMD-V): hw-assist cannot run on it`);
  }
  return machine;
}

/**
 * What nested and shadow paging share, on core's {@link PagedMemory} with guest-format tables:
 * a VPID per vCPU (tag blocks after the host's), TLB entries kept across switches when the
 * hardware tags them, a log-dirty fault that is a VM exit (through core's transition path),
 * and the IOMMU's view of a domain.
 * The guest writes its own tables with plain stores; each design says what the hardware walks.
 *
 * @public
 */
export abstract class HvmMemory extends PagedMemory implements DirtyLogging, PostCopyPaging {
  readonly #logDirtyFaults: number;
  /** Core's transition path, which every VM exit of the memory model takes (the subclass injects it). */
  protected abstract readonly transitions: GuestTransitions;

  constructor(
    machine: Machine,
    largeChunks: boolean,
    mechanisms: Mechanisms,
    /** The machine's map as the module binds it (a decorator reaches it); a bare instance makes its own. */
    map?: GuestPhysicalMap,
  ) {
    const checked = withHardwareVirtualization(machine);
    super(checked, map, {
      frames: 'guest',
      tagged: checked.profile.cpu.taggedTlb,
      // Block 0..VPIDS_PER_DOMAIN-1 stays the host's; each domain's vCPUs get the blocks after (KVM gives each vCPU its own VPID).
      tagBlocksPerDomain: VPIDS_PER_DOMAIN,
      hostTagDomains: 1,
      largeChunks,
    });
    this.#logDirtyFaults = mechanisms.register('log-dirty-fault');
  }

  /**
   * The first write of a round hits a write-protected page: a VM exit whose handler logs the
   * page and unprotects it.
   */
  protected override logDirtyFault(vcpu: Vcpu): void {
    this.transitions.vmExit(vcpu, 'log-dirty', HW_ASSIST_PATH.value.logDirtyHandler * this.machine.profile.cpu.kernelCpi);
    vcpu.count(this.#logDirtyFaults);
  }

  /** The machine frame behind a guest frame (populated on first use; range-checked), for devices' DMA too. */
  override populate(vcpu: Vcpu, gfn: number): number {
    return super.populate(vcpu, gfn);
  }

  /** The machine frame of a guest frame for device DMA through the IOMMU, or -1 (IOMMU fault). */
  iommuTranslate(domain: Domain, gfn: Gfn): Mfn {
    return this.map.inRange(domain, gfn) ? this.map.lookup(domain, gfn) : NO_MACHINE_FRAME;
  }

  /**
   * A vCPU starts a burst on `pcpu`. With tagged TLBs its entries on a pCPU it did not last
   * run on may predate invalidations it made elsewhere: they are dropped (KVM flushes a
   * vCPU's VPID when the vCPU moves to another pCPU).
   */
  vcpuArrived(pcpu: number, vcpu: Vcpu): void {
    if (!this.tagged || vcpu.lastPcpu === pcpu || vcpu.lastPcpu < 0) return;
    const first = this.tagOf(vcpu, 0);
    this.machine.pcpus[pcpu]!.tlb.flushAsidRange(first, first + 4095);
  }
}
