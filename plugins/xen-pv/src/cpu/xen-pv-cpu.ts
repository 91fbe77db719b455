import {
  CostCategory,
  CpuEvents,
  GuestTransitions,
  HypercallTable,
  Machine,
  MechanismIndex,
  MemoryVirtualization,
  Mechanisms,
  PrivilegeViolationError,
  TrapTable,
  inject,
  injectable,
  type CpuVirtualization,
  type Gfn,
  type KernelPrivilege,
  type PrivilegedOperation,
  type Vcpu,
} from '@visorkit/core';
import { DOM0 } from '../control/dom0.js';
import { XEN_PV_FITTED } from '../calibration.js';
import { XenPvOptions } from '../xen-pv-options.js';
import { XEN_PATH } from '../xen-pv-path-lengths.js';

const P = XEN_PATH.value;
const F = XEN_PV_FITTED.value;

/** Hypercall numbers (Xen's public `xen.h`) for the privileged operations, with their handlers' path lengths. */
const HYPERCALLS: Readonly<
  Record<
    Exclude<PrivilegedOperation, 'load-page-table-base' | 'flush-tlb' | 'read-clock'>,
    { number: number; name: string; path: keyof typeof P; control?: boolean }
  >
> = {
  'set-trap-table': { number: 0, name: 'set_trap_table', path: 'setTrapTable' },
  halt: { number: 29, name: 'sched_op', path: 'schedOp' },
  'set-timer': { number: 15, name: 'set_timer_op', path: 'setTimerOp' },
  'io-access': { number: 33, name: 'physdev_op', path: 'physdevOp', control: true },
  // XenLinux's __switch_to batches stack_switch, three update_descriptor (TLS) and
  // fpu_taskswitch into one multicall: Xen runs each handler in turn.
  'switch-kernel-stack': { number: 13, name: 'multicall', path: 'stackSwitchMulticall' },
};

/** `__HYPERVISOR_iret`: how a guest returns from a bounced trap (its cost is the round trip alone). */
const HYPERCALL_IRET = 23;

/**
 * Xen's paravirtual CPU (Xen paper §3.3.1): the guest kernel runs in ring 1, applications in
 * ring 3, Xen in ring 0. Privileged operations are hypercalls — attempted directly from ring
 * 1 they raise a general-protection fault. System calls go straight to the guest kernel
 * through fast handlers Xen validated when they were installed; page faults are taken by
 * Xen, which reads CR2 and bounces them to the guest, which returns with an iret hypercall.
 *
 * @public
 */
@injectable()
export class XenPvCpu implements CpuVirtualization {
  readonly kernelPrivilege: KernelPrivilege = { ring: 1, nonRoot: false };
  readonly #costs;
  readonly #cpi: number;
  readonly #bounces: number;

  constructor(
    @inject(Machine) readonly machine: Machine,
    @inject(MemoryVirtualization) readonly memory: MemoryVirtualization,
    @inject(XenPvOptions) readonly options: XenPvOptions,
    @inject(HypercallTable) readonly hypercalls: HypercallTable,
    @inject(TrapTable) traps: TrapTable,
    @inject(Mechanisms) mechanisms: Mechanisms,
    @inject(CpuEvents) readonly events: CpuEvents,
    @inject(GuestTransitions) readonly transitions: GuestTransitions,
  ) {
    this.#costs = machine.profile.costs;
    this.#cpi = machine.profile.cpu.kernelCpi;
    this.#bounces = mechanisms.register('bounce');
    // The handlers' work is what `privileged` states as handler cycles; the operation's effect is the caller's.
    for (const h of Object.values(HYPERCALLS)) hypercalls.register(h.number, h.name, () => 0, h.control === true ? 'control-domain' : 'any-guest', DOM0);
    hypercalls.register(HYPERCALL_IRET, 'iret', () => 0);
    // Handlers installed with set_trap_table must not run in ring 0 (Xen's validation).
    traps.setValidator((vcpu, vector, ring) => {
      if (ring === 0) {
        vcpu.count(MechanismIndex.PrivilegeViolation);
        throw new PrivilegeViolationError(vcpu.domain.name, `set_trap_table (vector ${vector}, ring 0)`, 'a handler in ring 1 or 3');
      }
    });
  }

  systemCall(vcpu: Vcpu): void {
    vcpu.count(MechanismIndex.Syscall);
    if (this.options.fastSystemCalls) {
      vcpu.charge(CostCategory.GuestKernel, this.#costs.syscallRoundTrip);
      return;
    }
    // Without a fast handler every system call is bounced through Xen.
    this.#bounce(vcpu, 'syscall');
  }

  pageFault(vcpu: Vcpu): void {
    vcpu.count(MechanismIndex.PageFault);
    vcpu.charge(CostCategory.Hypervisor, F.pageFaultFixup * this.#cpi);
    this.#bounce(vcpu, 'page-fault');
  }

  privileged(vcpu: Vcpu, operation: PrivilegedOperation, fromUser = false): void {
    if (fromUser && operation !== 'read-clock') {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new PrivilegeViolationError(vcpu.domain.name, operation, 'the guest kernel (ring 1) and a hypercall');
    }
    switch (operation) {
      case 'read-clock':
        vcpu.charge(CostCategory.GuestKernel, P.rdtsc);
        return;
      case 'flush-tlb':
        this.memory.flushTlb(vcpu);
        return;
      case 'load-page-table-base':
        return; // done by switchAddressSpace through MMUEXT_NEW_BASEPTR
      default: {
        const h = HYPERCALLS[operation];
        this.transitions.hypercall(vcpu, h.number, P[h.path] * this.#cpi);
      }
    }
  }

  /** The guest executing a privileged instruction directly in ring 1: a general-protection fault. */
  attemptPrivilegedInstruction(vcpu: Vcpu, operation: PrivilegedOperation): never {
    this.transitions.trap(vcpu, 'general-protection');
    vcpu.count(MechanismIndex.PrivilegeViolation);
    throw new PrivilegeViolationError(vcpu.domain.name, `${operation} (executed in ring 1: general-protection fault)`, 'a hypercall');
  }

  switchAddressSpace(vcpu: Vcpu, root: Gfn, addressSpace: number): void {
    this.memory.activate(vcpu, root, addressSpace);
  }

  deliverInterrupt(vcpu: Vcpu): void {
    vcpu.charge(CostCategory.GuestKernel, this.#costs.interruptDelivery + P.upcall * this.#cpi);
    vcpu.count(MechanismIndex.Interrupt);
  }

  worldSwitch(_pcpu: number, from: Vcpu | undefined, to: Vcpu): void {
    to.charge(CostCategory.Hypervisor, this.#costs.registerSwitch + P.xenSwitch * this.#cpi);
    to.count(MechanismIndex.ContextSwitch);
    if (from === undefined || from.asid !== to.asid) {
      to.charge(CostCategory.Hypervisor, this.#costs.pageTableBaseSwitch);
      this.memory.worldSwitch(to);
    }
  }

  /** Trap into Xen, a bounce frame to ring 1, and the guest's iret hypercall back. */
  #bounce(vcpu: Vcpu, reason: string): void {
    this.transitions.trap(vcpu, reason, P.bounce * this.#cpi);
    vcpu.count(this.#bounces);
    this.transitions.hypercall(vcpu, HYPERCALL_IRET);
  }
}
