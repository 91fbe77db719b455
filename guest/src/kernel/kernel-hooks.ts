import type { Vcpu } from '@visorkit/core';
import type { Process } from '../process/process.js';

/**
 * Why the kernel asks whether a process may see another context's object: `'list'` when it
 * only enumerates a table (/proc/net/tcp, /dev/pts) — hidden entries are simply left out —
 * and `'open'` when it names the object to use it (open or stat `/dev/pts/N`), which, refused,
 * is a privilege violation.
 */
export type VisibilityIntent = 'list' | 'open';

/**
 * Token under which a container plugin binds its {@link KernelHooks} in its module: every guest
 * kernel booted on a hypervisor that has one (and no explicit `hooks`) consults it.
 */
export const KernelHooks = Symbol.for('visorkit.KernelHooks');

/**
 * Where a container plugin plugs into the one shared kernel (Linux-VServer's context checks).
 * The default kernel has none: every process is in the host context (0) and sees everything.
 * The optional hooks, when absent, allow everything at no cost.
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
  /**
   * The local address a socket of `process` binds (network contexts on the shared stack):
   * `requested` is the address asked for, undefined for any (INADDR_ANY, also an implicit
   * bind by connect or listen). Returns the address to bind, undefined for any, or null to
   * refuse (the kernel answers -EADDRNOTAVAIL and changes nothing).
   */
  bindAddress?(vcpu: Vcpu, process: Process, requested: string | undefined): string | undefined | null;
  /**
   * The destination a connect of `process` to `destination` really goes to (VServer maps
   * the loopback address to the context's own, so loopback stays inside the context).
   */
  connectAddress?(vcpu: Vcpu, process: Process, destination: string): string;
  /**
   * May `process` see a kernel object (a socket, a pty) of container context
   * `objectContext`? (Socket and pty name spaces.) A refused `'open'` counts as a privilege
   * violation; a refused `'list'` only hides the entry.
   */
  maySee?(vcpu: Vcpu, process: Process, objectContext: number, intent: VisibilityIntent): boolean;
}
