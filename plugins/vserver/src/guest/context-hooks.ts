import { CostCategory, MechanismIndex, type MachineProfile, type Vcpu } from '@visorkit/core';
import type { KernelHooks, Process } from '@visorkit/guest';

/** One security context's settings. */
export interface ContextSettings {
  /** Most processes the context may have (its fork bomb hits this, not the machine's limit). */
  readonly maxProcesses?: number;
  /** The context's file-system root (chroot), e.g. `/vservers/web`. */
  readonly root?: string;
  /**
   * Most memory the context's processes may have resident, in MiB (VServer's RSS limit): a
   * process faulting in a page beyond it is killed, the context's own out-of-memory kill.
   */
  readonly maxResidentMiB?: number;
}

/** Instructions of one context check in the kernel (VServer's `vx_check`). */
const CONTEXT_CHECK_INSTRUCTIONS = 40;

/**
 * Linux-VServer's context checks inside the one shared kernel: a process sees and signals
 * only processes of its own context (the host context, 0, sees all); a context's process
 * count is limited; paths resolve under the context's root, and `..` cannot climb out of it.
 * Each check costs a few instructions; each refusal is counted as a privilege violation.
 */
export class VserverContexts implements KernelHooks {
  readonly #contexts = new Map<number, ContextSettings>();

  /** @param profile the machine's profile (the checks' instruction cost scales with its CPI) */
  constructor(readonly profile: MachineProfile) {}

  /** Creates or changes context `id`. */
  define(id: number, settings: ContextSettings): void {
    this.#contexts.set(id, settings);
  }

  mayAccess(vcpu: Vcpu, caller: Process, target: Process): boolean {
    this.#charge(vcpu);
    const ok = caller.context === 0 || caller.context === target.context;
    if (!ok) vcpu.count(MechanismIndex.PrivilegeViolation);
    return ok;
  }

  mayFork(vcpu: Vcpu, parent: Process, processesInContext: number): boolean {
    this.#charge(vcpu);
    const limit = this.#contexts.get(parent.context)?.maxProcesses;
    const ok = limit === undefined || processesInContext < limit;
    if (!ok) vcpu.count(MechanismIndex.PrivilegeViolation);
    return ok;
  }

  mayMapPage(vcpu: Vcpu, process: Process, residentPages: number): boolean {
    const limit = this.#contexts.get(process.context)?.maxResidentMiB;
    if (limit === undefined) return true;
    this.#charge(vcpu);
    const ok = residentPages < (limit * 1048576) / 4096;
    if (!ok) vcpu.count(MechanismIndex.PrivilegeViolation);
    return ok;
  }

  resolvePath(vcpu: Vcpu, process: Process, path: string): string | undefined {
    const root = this.#contexts.get(process.context)?.root;
    if (root === undefined || path === '/dev/null') return path;
    this.#charge(vcpu);
    const parts: string[] = [];
    for (const part of path.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (parts.length === 0) {
          // Climbing above the context's root: the chroot escape is refused.
          vcpu.count(MechanismIndex.PrivilegeViolation);
          return undefined;
        }
        parts.pop();
      } else parts.push(part);
    }
    return `${root}/${parts.join('/')}`;
  }

  #charge(vcpu: Vcpu): void {
    vcpu.charge(CostCategory.GuestKernel, CONTEXT_CHECK_INSTRUCTIONS * this.profile.cpu.kernelCpi);
  }
}
