import { CheckpointCorruptError, type Domain, type MachineProfile, type Vcpu } from '@visorkit/core';
import type { ContainerPolicy, Process, VisibilityIntent } from '@visorkit/guest';
import { VserverContexts, type ContextSettings } from './vserver-contexts.js';

/**
 * Linux-VServer contexts inside the guests of a hypervisor that runs VMs (containers on VMs):
 * every domain's kernel is a VServer kernel with a context table of its own, so context 1 of
 * one VM is not context 1 of another. Each check is the domain's {@link VserverContexts}
 * check, at the same cost, charged on the vCPU that made it — inside a VM that vCPU also
 * pays the VM's own costs (nested walks, exits) for whatever the kernel does around it.
 * A domain's table travels with its kernel's checkpoint ({@link saveFor}, {@link loadFor}),
 * so a VM hosting contexts is restored with them.
 *
 * @public
 */
export class VserverGuestContexts implements ContainerPolicy {
  readonly #tables = new Map<number, VserverContexts>();

  /** @param profile the machine's profile (the checks' instruction cost scales with its CPI) */
  constructor(readonly profile: MachineProfile) {}

  /** The context table of `domain`'s kernel (made on first use). */
  of(domain: Domain): VserverContexts {
    return this.#table(domain.id);
  }

  mayAccess(vcpu: Vcpu, caller: Process, target: Process): boolean {
    return this.#table(vcpu.domain.id).mayAccess(vcpu, caller, target);
  }

  maySee(vcpu: Vcpu, process: Process, objectContext: number, intent: VisibilityIntent): boolean {
    return this.#table(vcpu.domain.id).maySee(vcpu, process, objectContext, intent);
  }

  resolvePath(vcpu: Vcpu, process: Process, path: string): string | undefined {
    return this.#table(vcpu.domain.id).resolvePath(vcpu, process, path);
  }

  mayFork(vcpu: Vcpu, parent: Process, processesInContext: () => number): boolean {
    return this.#table(vcpu.domain.id).mayFork(vcpu, parent, processesInContext);
  }

  mayMapPage(vcpu: Vcpu, process: Process, residentPages: number): boolean {
    return this.#table(vcpu.domain.id).mayMapPage(vcpu, process, residentPages);
  }

  bindAddress(vcpu: Vcpu, process: Process, requested: string | undefined): string | undefined | null {
    return this.#table(vcpu.domain.id).bindAddress(vcpu, process, requested);
  }

  connectAddress(vcpu: Vcpu, process: Process, destination: string): string {
    return this.#table(vcpu.domain.id).connectAddress(vcpu, process, destination);
  }

  /** `domain`'s context table as plain data: each defined context's id and settings. */
  saveFor(domain: Domain): unknown {
    return this.#tables.get(domain.id)?.contexts() ?? [];
  }

  /** Defines in `domain`'s table the contexts {@link saveFor} wrote (a restored VM's). */
  loadFor(domain: Domain, state: unknown): void {
    if (!isSavedContexts(state)) throw new CheckpointCorruptError(`the vserver contexts saved for '${domain.name}' are not a list of [id, settings]`);
    const table = this.#table(domain.id);
    for (const [id, settings] of state) table.define(id, settings);
  }

  #table(domainId: number): VserverContexts {
    let t = this.#tables.get(domainId);
    if (t === undefined) {
      t = new VserverContexts(this.profile);
      this.#tables.set(domainId, t);
    }
    return t;
  }
}

/** True when `state` is what {@link VserverGuestContexts.saveFor} writes: [id, settings] pairs. */
function isSavedContexts(state: unknown): state is [number, ContextSettings][] {
  return (
    Array.isArray(state) &&
    state.every((e: unknown) => Array.isArray(e) && e.length === 2 && Number.isInteger(e[0]) && typeof e[1] === 'object' && e[1] !== null)
  );
}
