import type { Vcpu } from '@visorkit/core';
import type { ContainerPolicy, Process, VisibilityIntent } from '@visorkit/guest';
import type { ContextSettings } from '@visorkit/vserver';

/** Device paths the shared kernel keeps outside every context's root (their name spaces are checked apart). */
const DEVICE = /^\/dev\/(null|ptmx|pts\/[0-9]+)$/;

/**
 * The plugin's container policy seen from outside: every decision the shared kernel asks of
 * it is passed through unchanged, and each one that lets a process of a context reach beyond
 * that context (a signal to another context's process, another context's socket or pty, a
 * path outside its root, an address it was not given, a fork or a page past its limit) is
 * noted as a violation. It also keeps every process it was asked about, so the fuzzer can
 * see which are alive. Violations are collected, not thrown: the kernel is mid-call.
 */
export class ObservingPolicy implements ContainerPolicy {
  /** Broken promises noted since the last {@link take}. */
  readonly violations: string[] = [];
  /** Every process the kernel asked about, by pid. */
  readonly processes = new Map<number, Process>();

  constructor(
    readonly inner: ContainerPolicy,
    readonly contexts: ReadonlyMap<number, ContextSettings>,
  ) {}

  /** The violations noted so far (and forgets them). */
  take(): string[] {
    return this.violations.splice(0);
  }

  mayAccess(vcpu: Vcpu, caller: Process, target: Process): boolean {
    this.#keep(caller);
    this.#keep(target);
    const ok = this.inner.mayAccess(vcpu, caller, target);
    if (ok && caller.context !== 0 && caller.context !== target.context)
      this.#violate(`context ${caller.context}'s pid ${caller.pid} was let reach pid ${target.pid} of context ${target.context}`);
    return ok;
  }

  maySee(vcpu: Vcpu, process: Process, objectContext: number, intent: VisibilityIntent): boolean {
    this.#keep(process);
    const ok = this.inner.maySee(vcpu, process, objectContext, intent);
    if (ok && process.context !== 0 && process.context !== objectContext)
      this.#violate(`context ${process.context}'s pid ${process.pid} was let ${intent} an object of context ${objectContext}`);
    return ok;
  }

  resolvePath(vcpu: Vcpu, process: Process, path: string): string | undefined {
    this.#keep(process);
    const resolved = this.inner.resolvePath(vcpu, process, path);
    const root = this.contexts.get(process.context)?.root;
    if (resolved !== undefined && root !== undefined && !DEVICE.test(resolved) && !resolved.startsWith(`${root}/`))
      this.#violate(`context ${process.context}'s path '${path}' resolved to '${resolved}', outside its root ${root}`);
    return resolved;
  }

  mayFork(vcpu: Vcpu, parent: Process, processesInContext: () => number): boolean {
    this.#keep(parent);
    const ok = this.inner.mayFork(vcpu, parent, processesInContext);
    const limit = this.contexts.get(parent.context)?.maxProcesses;
    if (ok && limit !== undefined && processesInContext() >= limit)
      this.#violate(`context ${parent.context} was let fork past its ${limit} processes (it has ${processesInContext()})`);
    return ok;
  }

  mayMapPage(vcpu: Vcpu, process: Process, residentPages: number): boolean {
    this.#keep(process);
    const ok = this.inner.mayMapPage(vcpu, process, residentPages);
    const limit = this.contexts.get(process.context)?.maxResidentMiB;
    if (ok && limit !== undefined && residentPages >= limit * 256)
      this.#violate(`context ${process.context} was let map a page with ${residentPages} resident, its limit ${limit * 256}`);
    return ok;
  }

  bindAddress(vcpu: Vcpu, process: Process, requested: string | undefined): string | undefined | null {
    this.#keep(process);
    const chosen = this.inner.bindAddress(vcpu, process, requested);
    const own = this.contexts.get(process.context)?.addresses;
    if (chosen !== null && own !== undefined && own.length > 0 && (chosen === undefined || !own.includes(chosen)))
      this.#violate(`context ${process.context} asked to bind ${requested ?? 'any'} and was given ${chosen ?? 'any'}, not one of ${own.join(', ')}`);
    return chosen;
  }

  connectAddress(vcpu: Vcpu, process: Process, destination: string): string {
    this.#keep(process);
    return this.inner.connectAddress(vcpu, process, destination);
  }

  #keep(p: Process): void {
    this.processes.set(p.pid, p);
  }

  #violate(what: string): void {
    if (this.violations.length < 16) this.violations.push(what);
  }
}
