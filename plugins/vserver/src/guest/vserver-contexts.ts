import { CostCategory, MechanismIndex, type MachineProfile, type Vcpu } from '@visorkit/core';
import type { ContainerPolicy, Process, VisibilityIntent } from '@visorkit/guest';
import { VSERVER_PATH } from '../vserver-path-lengths.js';
import { InvalidContextSettingsError } from './invalid-context-settings-error.js';

/**
 * One security context's settings.
 *
 * @public
 */
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
  /**
   * The context's network addresses on the shared stack (VServer's network context; the
   * kernel must own them, e.g. through `bootGuest`'s `addresses`). Its sockets bind only to
   * these: a wildcard bind takes the first, a bind to any other address is refused; its
   * connections leave from the first; its loopback (127.0.0.1) is the first. Without
   * addresses the context shares the host's network unrestricted.
   */
  readonly addresses?: readonly string[];
}

/** The loopback address, which VServer maps to a network context's own address. */
const LOOPBACK = '127.0.0.1';
/** A pty slave's path, exactly (no `..` can ride on the exemption from the root). */
const PTS_PATH = /^\/dev\/pts\/[0-9]+$/;

/**
 * Linux-VServer's context checks inside the one shared kernel: a process sees and signals
 * only processes of its own context (the host context, 0, sees all); it sees only its own
 * context's sockets and ptys (socket and pty name spaces); a context with addresses binds
 * and sends only from them (network isolation on the shared stack, VServer paper §3.2); a
 * context's process count and resident memory are limited; paths resolve under the
 * context's root, and `..` cannot climb out of it. Each check costs a few instructions;
 * each refusal is counted as a privilege violation.
 *
 * @public
 */
export class VserverContexts implements ContainerPolicy {
  readonly #contexts = new Map<number, ContextSettings>();

  /** @param profile the machine's profile (the checks' instruction cost scales with its CPI) */
  constructor(readonly profile: MachineProfile) {}

  /**
   * Creates or changes context `id`. Settings the kernel could not enforce are refused with
   * {@link InvalidContextSettingsError}, and nothing changes.
   */
  define(id: number, settings: ContextSettings): void {
    validateContext(id, settings);
    this.#contexts.set(id, settings);
  }

  /** Every defined context and its settings, by id (ascending). */
  contexts(): [number, ContextSettings][] {
    return [...this.#contexts].sort(([a], [b]) => a - b);
  }

  mayAccess(vcpu: Vcpu, caller: Process, target: Process): boolean {
    this.#charge(vcpu);
    const ok = caller.context === 0 || caller.context === target.context;
    if (!ok) vcpu.count(MechanismIndex.PrivilegeViolation);
    return ok;
  }

  mayFork(vcpu: Vcpu, parent: Process, processesInContext: () => number): boolean {
    this.#charge(vcpu);
    const limit = this.#contexts.get(parent.context)?.maxProcesses;
    const ok = limit === undefined || processesInContext() < limit;
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

  /**
   * A wildcard bind takes the context's first address; one of its own addresses is kept;
   * any other (another context's, or one nobody has) is refused and counted.
   */
  bindAddress(vcpu: Vcpu, process: Process, requested: string | undefined): string | undefined | null {
    const own = this.#contexts.get(process.context)?.addresses;
    if (own === undefined || own.length === 0) return requested;
    this.#charge(vcpu);
    if (requested === undefined) return own[0];
    if (own.includes(requested)) return requested;
    vcpu.count(MechanismIndex.PrivilegeViolation);
    return null;
  }

  /** Loopback from a context with addresses is its own first address, so it reaches only its own listeners. */
  connectAddress(vcpu: Vcpu, process: Process, destination: string): string {
    const own = this.#contexts.get(process.context)?.addresses;
    if (own === undefined || own.length === 0) return destination;
    this.#charge(vcpu);
    return destination === LOOPBACK ? own[0]! : destination;
  }

  /** Only its own context's sockets and ptys exist for a process; the host context sees all. */
  maySee(vcpu: Vcpu, process: Process, objectContext: number, intent: VisibilityIntent): boolean {
    this.#charge(vcpu);
    const ok = process.context === 0 || process.context === objectContext;
    if (!ok && intent === 'open') vcpu.count(MechanismIndex.PrivilegeViolation);
    return ok;
  }

  /**
   * The chroot with a barrier: `..` never climbs above the root (Linux-VServer marks the
   * directory above each guest's root with its chroot barrier, so no path from inside,
   * however it was obtained, walks out). A path that is not a string resolves to nothing.
   */
  resolvePath(vcpu: Vcpu, process: Process, path: string): string | undefined {
    if (typeof path !== 'string') return undefined;
    const root = this.#contexts.get(process.context)?.root;
    // Devices are the shared kernel's: /dev/null, and the pty devices (whose name space is
    // the context's own through maySee), are not under the context's root.
    if (root === undefined || path === '/dev/null' || path === '/dev/ptmx' || PTS_PATH.test(path)) return path;
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
    vcpu.charge(CostCategory.GuestKernel, VSERVER_PATH.value.contextCheck * this.profile.cpu.kernelCpi);
  }
}

/** A normalised absolute path: `/` then names, none empty, `.` or `..`. */
const NORMALISED_ROOT = /^(\/(?!\.\.?(\/|$))[^/]+)+$/;

function validateContext(id: number, s: ContextSettings): void {
  if (!Number.isInteger(id) || id < 1) throw new InvalidContextSettingsError(id, 'the id must be a positive integer (0 is the host context)');
  if (s.root !== undefined && (typeof s.root !== 'string' || !NORMALISED_ROOT.test(s.root)))
    throw new InvalidContextSettingsError(id, `root '${String(s.root)}' is not an absolute, normalised path below '/' (e.g. /vservers/web)`);
  if (s.maxProcesses !== undefined && !(Number.isInteger(s.maxProcesses) && s.maxProcesses >= 0))
    throw new InvalidContextSettingsError(id, `maxProcesses ${s.maxProcesses} is not a non-negative integer`);
  if (s.maxResidentMiB !== undefined && !(s.maxResidentMiB > 0 && Number.isFinite(s.maxResidentMiB)))
    throw new InvalidContextSettingsError(id, `maxResidentMiB ${s.maxResidentMiB} is not a positive number`);
  if (s.addresses !== undefined && s.addresses.some((a) => typeof a !== 'string' || a === ''))
    throw new InvalidContextSettingsError(id, 'every address must be a non-empty string');
}
