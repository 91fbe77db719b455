import type { Vcpu } from '@visorkit/core';
import type { Process } from '../process/process.js';

/**
 * Where a container plugin plugs into the one shared kernel (Linux-VServer's context checks).
 * The default kernel has none: every process is in the host context (0) and sees everything.
 */
export interface KernelHooks {
  /** May `caller` see or signal `target`? (PID name spaces.) */
  mayAccess(vcpu: Vcpu, caller: Process, target: Process): boolean;
  /** May `parent` create one more process? (Per-context process limits.) */
  mayFork(vcpu: Vcpu, parent: Process, processesInContext: number): boolean;
  /** The path a process's `path` resolves to (chroot), or undefined when it would escape. */
  resolvePath(vcpu: Vcpu, process: Process, path: string): string | undefined;
  /**
   * May `process` map one more page, its context holding `residentPages`? (Per-context
   * memory limits: refused, the kernel kills the faulting process, as a context's OOM would.)
   */
  mayMapPage?(vcpu: Vcpu, process: Process, residentPages: number): boolean;
}
