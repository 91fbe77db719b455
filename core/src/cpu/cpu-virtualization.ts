import type { DomainObserver } from '../domain/domain-observer.js';
import type { Vcpu } from '../domain/vcpu.js';
import type { Gfn } from '../units/units.js';
import type { PrivilegedOperation } from './privileged-operation.js';

/**
 * Token for the {@link CpuVirtualization} extension point.
 *
 * @public
 */
export const CpuVirtualization = Symbol.for('visorkit.CpuVirtualization');

/**
 * Where a guest kernel runs, in the processor's terms: its privilege level (x86 ring 0–2;
 * ring 3 is user code) and whether it runs in VMX non-root mode (VT-x / AMD-V guest mode).
 * Each CPU plugin states its own; core reads no particular design into it.
 *
 * @public
 */
export interface KernelPrivilege {
  /** Current privilege level of guest kernel code: 0 is the most privileged. */
  readonly ring: 0 | 1 | 2;
  /** True when the kernel runs as a hardware-virtualised guest (VMX non-root / SVM guest mode). */
  readonly nonRoot: boolean;
}

/**
 * How a guest's CPU is virtualised: what entering the kernel costs, how privileged work is
 * done, how faults and interrupts reach the guest, and what a world switch between vCPUs of
 * different domains costs. Every method charges the calling vCPU and counts mechanisms.
 *
 * Callers: the guest kernel model; the core CPU runner ({@link worldSwitch}).
 *
 * @public
 */
export interface CpuVirtualization extends DomainObserver {
  /** Where the guest kernel runs on this platform. */
  readonly kernelPrivilege: KernelPrivilege;

  /** A user process enters the kernel for a system call and returns. */
  systemCall(vcpu: Vcpu): void;

  /** A page fault at `virtualPage` is delivered to the guest kernel (and later returned from). */
  pageFault(vcpu: Vcpu, virtualPage: number, write: boolean): void;

  /**
   * The guest kernel performs a privileged operation. `fromUser` is true when user code tried
   * it: that must never succeed (throws `PrivilegeViolationError`, counted, guest process is
   * killed by its kernel).
   */
  privileged(vcpu: Vcpu, operation: PrivilegedOperation, fromUser?: boolean): void;

  /** The guest kernel switches to address space `root` (context switch between processes). */
  switchAddressSpace(vcpu: Vcpu, root: Gfn, addressSpace: number): void;

  /** An external interrupt or event notification is delivered to `vcpu`. */
  deliverInterrupt(vcpu: Vcpu): void;

  /**
   * The runner switches pCPU `pcpu` from `from` (may be undefined: idle) to `to`. Charged to
   * the hypervisor category of `to`. Same-domain switches are cheaper than cross-domain ones.
   */
  worldSwitch(pcpu: number, from: Vcpu | undefined, to: Vcpu): void;
}
