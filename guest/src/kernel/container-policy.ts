import { serviceToken, type Domain, type ServiceToken, type Vcpu } from '@visorkit/core';
import type { Process } from '../process/process.js';

/**
 * Why the kernel asks whether a process may see another context's object: `'list'` when it
 * only enumerates a table (/proc/net/tcp, /dev/pts) — hidden entries are simply left out —
 * and `'open'` when it names the object to use it (open or stat `/dev/pts/N`), which, refused,
 * is a privilege violation.
 *
 * @public
 */
export type VisibilityIntent = 'list' | 'open';

/**
 * Token under which a container plugin binds its {@link ContainerPolicy} in its module: every
 * guest kernel booted on a hypervisor that has one (and no explicit `policy`) consults it.
 *
 * @public
 */
export const ContainerPolicy: ServiceToken<ContainerPolicy> = serviceToken('ContainerPolicy');

/**
 * The one object through which a kernel's subsystems apply container contexts (Linux-VServer's
 * context checks in the one shared kernel): what a process may see, how much it may have, and
 * which addresses it uses. The kernel consults it at every such decision; without a container
 * plugin it uses {@link OPEN_POLICY}: every process is in the host context (0) and sees and
 * may do everything, at no cost. A policy charges and counts its own checks.
 *
 * @public
 */
export interface ContainerPolicy {
  // ---- visibility ----
  /** May `caller` see or signal `target`? (PID name spaces.) */
  mayAccess(vcpu: Vcpu, caller: Process, target: Process): boolean;
  /**
   * May `process` see a kernel object (a socket, a pty) of container context
   * `objectContext`? (Socket and pty name spaces.) A refused `'open'` counts as a privilege
   * violation; a refused `'list'` only hides the entry.
   */
  maySee(vcpu: Vcpu, process: Process, objectContext: number, intent: VisibilityIntent): boolean;
  /** The path a process's `path` resolves to (chroot), or undefined when it would escape. */
  resolvePath(vcpu: Vcpu, process: Process, path: string): string | undefined;

  // ---- limits ----
  /**
   * May `parent` create one more process? (Per-context process limits.) `processesInContext`
   * counts its context's live processes (called only by a policy that limits them).
   */
  mayFork(vcpu: Vcpu, parent: Process, processesInContext: () => number): boolean;
  /**
   * May `process` map one more page, its context holding `residentPages`? (Per-context
   * memory limits: refused, the kernel kills the faulting process, as a context's OOM would.)
   */
  mayMapPage(vcpu: Vcpu, process: Process, residentPages: number): boolean;

  // ---- addresses ----
  /**
   * The local address a socket of `process` binds (network contexts on the shared stack):
   * `requested` is the address asked for, undefined for any (INADDR_ANY, also an implicit
   * bind by connect or listen). Returns the address to bind, undefined for any, or null to
   * refuse (the kernel answers -EADDRNOTAVAIL and changes nothing).
   */
  bindAddress(vcpu: Vcpu, process: Process, requested: string | undefined): string | undefined | null;
  /**
   * The destination a connect of `process` to `destination` really goes to (VServer maps
   * the loopback address to the context's own, so loopback stays inside the context).
   */
  connectAddress(vcpu: Vcpu, process: Process, destination: string): string;

  // ---- checkpoint ----
  /**
   * What the policy holds for `domain`'s kernel (its contexts' settings) as plain JSON data,
   * written into a checkpoint of that kernel. Optional: a kernel whose policy lacks it is
   * refused a checkpoint (typed, nothing written).
   */
  saveFor?(domain: Domain): unknown;
  /**
   * Takes back what {@link ContainerPolicy.saveFor} wrote, for the kernel restored on
   * `domain`; throws a typed error on state it cannot read. Optional, with `saveFor`.
   */
  loadFor?(domain: Domain, state: unknown): void;
}

/**
 * No containers: one host context that sees and may do everything, at no cost.
 *
 * @public
 */
export const OPEN_POLICY: ContainerPolicy = Object.freeze({
  mayAccess: () => true,
  maySee: () => true,
  resolvePath: (_vcpu: Vcpu, _process: Process, path: string) => path,
  mayFork: () => true,
  mayMapPage: () => true,
  bindAddress: (_vcpu: Vcpu, _process: Process, requested: string | undefined) => requested,
  connectAddress: (_vcpu: Vcpu, _process: Process, destination: string) => destination,
});
