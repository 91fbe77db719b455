import {
  CostCategory,
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
import { NATIVE_PATH } from '../native-path-lengths.js';

/** Cycles for privileged instructions that are not a page-table switch (hlt, timer, port I/O, lidt). */
const N = NATIVE_PATH.value;
const SIMPLE_PRIVILEGED_CYCLES: Readonly<Record<PrivilegedOperation, number>> = {
  'load-page-table-base': 0, // charged as pageTableBaseSwitch
  'flush-tlb': 0, // charged as pageTableBaseSwitch
  'set-trap-table': N.lidt,
  halt: N.hlt,
  'set-timer': N.apicTimerWrite,
  'io-access': N.ioAccess,
  'read-clock': N.rdtsc,
  'switch-kernel-stack': N.switchKernelStack,
};

/**
 * Bare-metal CPU: the kernel runs in ring 0, so privileged work is a plain instruction,
 * system calls and faults cost one hardware round trip, and nothing stands between the
 * kernel and the hardware.
 *
 * @public
 */
@injectable()
export class NativeCpu implements CpuVirtualization {
  readonly kernelPrivilege: KernelPrivilege = { ring: 0, nonRoot: false };
  readonly #costs;

  constructor(
    @inject(Machine) readonly machine: Machine,
    @inject(MemoryVirtualization) readonly memory: MemoryVirtualization,
  ) {
    this.#costs = machine.profile.costs;
  }

  systemCall(vcpu: Vcpu): void {
    vcpu.charge(CostCategory.GuestKernel, this.#costs.syscallRoundTrip);
    vcpu.count(MechanismIndex.Syscall);
  }

  pageFault(vcpu: Vcpu): void {
    vcpu.charge(CostCategory.GuestKernel, this.#costs.trapRoundTrip);
    vcpu.count(MechanismIndex.PageFault);
  }

  privileged(vcpu: Vcpu, operation: PrivilegedOperation, fromUser = false): void {
    if (fromUser && operation !== 'read-clock') {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new PrivilegeViolationError(vcpu.domain.name, operation, 'ring 0 (user code raised a general-protection fault)');
    }
    if (operation === 'flush-tlb') {
      vcpu.charge(CostCategory.GuestKernel, this.#costs.pageTableBaseSwitch);
      this.#flush(vcpu);
      return;
    }
    if (operation === 'load-page-table-base') {
      vcpu.charge(CostCategory.GuestKernel, this.#costs.pageTableBaseSwitch);
      return;
    }
    vcpu.charge(CostCategory.GuestKernel, SIMPLE_PRIVILEGED_CYCLES[operation]);
  }

  switchAddressSpace(vcpu: Vcpu, root: Gfn, addressSpace: number): void {
    vcpu.charge(CostCategory.GuestKernel, this.#costs.pageTableBaseSwitch);
    this.memory.activate(vcpu, root, addressSpace);
  }

  deliverInterrupt(vcpu: Vcpu): void {
    vcpu.charge(CostCategory.GuestKernel, this.#costs.interruptDelivery);
    vcpu.count(MechanismIndex.Interrupt);
  }

  worldSwitch(_pcpu: number, from: Vcpu | undefined, to: Vcpu): void {
    // On bare metal a "domain" is a group of the one OS's work: switching between groups is
    // a process switch (registers, and the page-table base with its untagged TLB flush).
    to.charge(CostCategory.GuestKernel, this.#costs.registerSwitch);
    to.count(MechanismIndex.ContextSwitch);
    if (from === undefined || from.asid !== to.asid) {
      to.charge(CostCategory.GuestKernel, this.#costs.pageTableBaseSwitch);
      this.#flush(to);
    }
  }

  #flush(vcpu: Vcpu): void {
    this.memory.worldSwitch(vcpu);
  }
}
