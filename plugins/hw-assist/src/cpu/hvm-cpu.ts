import {
  CostCategory,
  CpuEvents,
  GuestTransitions,
  Machine,
  MechanismIndex,
  MemoryVirtualization,
  PrivilegeViolationError,
  inject,
  injectable,
  type CpuVirtualization,
  type Gfn,
  type KernelPrivilege,
  type PrivilegedOperation,
  type Vcpu,
} from '@visorkit/core';
import { HW_ASSIST_PATH } from '../hw-assist-path-lengths.js';
import { HwAssistOptions } from '../hw-assist-options.js';
import { HvmMemory } from '../memory/hvm-memory.js';

/** Instructions of the hypervisor's exit handlers, by operation (KVM-like path lengths). */
const H = HW_ASSIST_PATH.value;
const EXIT_HANDLER_INSTRUCTIONS: Readonly<Record<PrivilegedOperation, number>> = {
  'load-page-table-base': 0, // exits only under shadow paging: charged by the memory model
  'flush-tlb': H.flushTlbExit, // shadow paging: drop the shadow TLB state
  'set-trap-table': 0, // lidt does not exit
  halt: H.haltExit, // HLT exit: put the vCPU thread to sleep
  'set-timer': H.apicTimerExit, // APIC timer MSR/MMIO write: emulate the local APIC
  'io-access': H.ioExit, // port I/O or MMIO: decode, emulate the device register
  'read-clock': 0, // rdtsc runs natively with TSC offsetting
  'switch-kernel-stack': 0, // TSS and GDT are guest memory; CR0.TS is guest-owned: no exit
};

/**
 * VT-x / AMD-V: the guest kernel runs in ring 0 of non-root mode. System calls and (with
 * nested paging) page faults never leave the guest; sensitive operations cause VM exits
 * whose round-trip cost is the profile's and differs by hardware generation. Under shadow
 * paging, page faults and CR3 loads exit too.
 *
 * @public
 */
@injectable()
export class HvmCpu implements CpuVirtualization {
  readonly kernelPrivilege: KernelPrivilege = { ring: 0, nonRoot: true };
  readonly #costs;
  readonly #cpi: number;
  readonly #shadow: boolean;
  readonly #posted: boolean;

  constructor(
    @inject(Machine) readonly machine: Machine,
    @inject(MemoryVirtualization) readonly memory: MemoryVirtualization,
    @inject(HvmMemory) readonly hvm: HvmMemory,
    @inject(HwAssistOptions) options: HwAssistOptions,
    @inject(CpuEvents) readonly events: CpuEvents,
    @inject(GuestTransitions) readonly transitions: GuestTransitions,
  ) {
    this.#costs = machine.profile.costs;
    this.#cpi = machine.profile.cpu.kernelCpi;
    this.#shadow = options.paging === 'shadow';
    this.#posted = options.interrupts === 'posted';
  }

  systemCall(vcpu: Vcpu): void {
    vcpu.charge(CostCategory.GuestKernel, this.#costs.syscallRoundTrip);
    vcpu.count(MechanismIndex.Syscall);
  }

  pageFault(vcpu: Vcpu): void {
    vcpu.count(MechanismIndex.PageFault);
    if (this.#shadow) {
      // The fault is taken on the shadow tables: exit, find it is the guest's, inject it.
      this.transitions.vmExit(vcpu, 'page-fault', HW_ASSIST_PATH.value.inject * this.#cpi);
    }
    vcpu.charge(CostCategory.GuestKernel, this.#costs.trapRoundTrip);
  }

  privileged(vcpu: Vcpu, operation: PrivilegedOperation, fromUser = false): void {
    if (fromUser && operation !== 'read-clock') {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new PrivilegeViolationError(vcpu.domain.name, operation, 'ring 0 of the guest (user code raised a general-protection fault)');
    }
    switch (operation) {
      case 'load-page-table-base':
        vcpu.charge(CostCategory.GuestKernel, this.#costs.pageTableBaseSwitch);
        return;
      case 'flush-tlb':
        if (this.#shadow) this.transitions.vmExit(vcpu, 'flush-tlb', EXIT_HANDLER_INSTRUCTIONS['flush-tlb'] * this.#cpi);
        this.memory.flushTlb(vcpu);
        return;
      case 'set-trap-table':
      case 'read-clock':
        vcpu.charge(CostCategory.GuestKernel, 50);
        return;
      case 'switch-kernel-stack':
        vcpu.charge(CostCategory.GuestKernel, 120);
        return;
      case 'set-timer':
        if (this.#posted) {
          // APIC virtualisation: the timer write is handled without leaving the guest.
          vcpu.charge(CostCategory.GuestKernel, 80);
          return;
        }
        this.transitions.vmExit(vcpu, operation, EXIT_HANDLER_INSTRUCTIONS[operation] * this.#cpi);
        return;
      default:
        this.transitions.vmExit(vcpu, operation, EXIT_HANDLER_INSTRUCTIONS[operation] * this.#cpi);
    }
  }

  switchAddressSpace(vcpu: Vcpu, root: Gfn, addressSpace: number): void {
    vcpu.charge(CostCategory.GuestKernel, this.#costs.pageTableBaseSwitch);
    this.memory.activate(vcpu, root, addressSpace);
  }

  deliverInterrupt(vcpu: Vcpu): void {
    vcpu.count(MechanismIndex.Interrupt);
    if (!this.#posted) this.transitions.vmExit(vcpu, 'external-interrupt', HW_ASSIST_PATH.value.inject * this.#cpi);
    vcpu.charge(CostCategory.GuestKernel, this.#costs.interruptDelivery);
  }

  worldSwitch(pcpu: number, from: Vcpu | undefined, to: Vcpu): void {
    // The outgoing vCPU exited (timer or halt); the host switches threads and enters `to`.
    this.transitions.vmExit(to, 'world-switch', this.#costs.registerSwitch + HW_ASSIST_PATH.value.hostSwitch * this.#cpi);
    if (from !== undefined && from.asid !== to.asid) this.memory.worldSwitch(to);
    this.hvm.vcpuArrived(pcpu, to);
  }
}
