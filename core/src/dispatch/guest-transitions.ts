import { CostCategory } from '../accounting/cost-category.js';
import { MechanismIndex } from '../accounting/mechanisms.js';
import type { Vcpu } from '../domain/vcpu.js';
import type { CpuEvents } from '../events/cpu-events.js';
import type { CpuTransitionEvent } from '../events/event-types.js';
import type { Machine } from '../machine/machine.js';
import type { PrimitiveCosts } from '../machine/machine-profile.js';
import type { Simulator } from '../sim/simulator.js';
import type { HypercallTable } from './hypercall-table.js';

/**
 * The one path of every guest → hypervisor transition. A plugin never charges, counts or
 * emits a transition itself: it asks this service, which
 *
 * 1. counts the transition against the calling domain (`hypercall`, `trap`, `vm-exit`);
 * 2. charges the hardware round trip the profile gives for it (`hypercallRoundTrip`,
 *    `trapRoundTrip`, `vmExitRoundTrip`) plus the handler's work the plugin states, as
 *    hypervisor time of the calling vCPU, in one charge;
 * 3. for a hypercall, checks the caller's privilege in the {@link HypercallTable} (a refusal is
 *    counted and thrown, typed, after the round trip was paid — the guest did trap in);
 * 4. emits it — on its kind's stream (`hypercalls$`, `traps$`, `vmExits$`) and on
 *    `transitions$` — only when someone listens;
 * 5. runs the hypercall's registered handler and returns what it returns.
 *
 * So every transition appears in traces and counts the same way, whichever plugin made it,
 * and an event-channel notification, a page-table update batch or a control operation is
 * a hypercall like any other.
 *
 * @public
 */
export class GuestTransitions {
  readonly #costs: PrimitiveCosts;
  readonly #sim: Simulator;

  constructor(
    machine: Machine,
    readonly hypercalls: HypercallTable,
    readonly events: CpuEvents,
  ) {
    this.#costs = machine.profile.costs;
    this.#sim = machine.sim;
  }

  /**
   * Hypercall `number` from `vcpu`, whose handler does `handlerCycles` of work beyond the
   * round trip. Throws UnknownHypercallError or PrivilegeViolationError (counted, charged).
   */
  hypercall(vcpu: Vcpu, number: number, handlerCycles = 0, a0 = 0, a1 = 0, a2 = 0, a3 = 0): number {
    vcpu.count(MechanismIndex.Hypercall);
    vcpu.charge(CostCategory.Hypervisor, this.#costs.hypercallRoundTrip + handlerCycles);
    const entry = this.hypercalls.admit(vcpu, number);
    const events = this.events;
    if (events.hypercallsObserved || events.transitionsObserved) this.#emit(vcpu, vcpu.now(), 'hypercall', entry.name);
    return entry.handler(vcpu, a0, a1, a2, a3);
  }

  /** A trap from `vcpu` into the hypervisor (a fault it takes, a bounce it makes), `handlerCycles` of work beyond the round trip. */
  trap(vcpu: Vcpu, reason: string, handlerCycles = 0): void {
    vcpu.count(MechanismIndex.Trap);
    vcpu.charge(CostCategory.Hypervisor, this.#costs.trapRoundTrip + handlerCycles);
    const events = this.events;
    if (events.trapsObserved || events.transitionsObserved) this.#emit(vcpu, vcpu.now(), 'trap', reason);
  }

  /** A VM exit of `vcpu` and the entry after it, `handlerCycles` of exit handling beyond the hardware round trip. */
  vmExit(vcpu: Vcpu, reason: string, handlerCycles = 0): void {
    vcpu.count(MechanismIndex.VmExit);
    vcpu.charge(CostCategory.Hypervisor, this.#costs.vmExitRoundTrip + handlerCycles);
    const events = this.events;
    if (events.vmExitsObserved || events.transitionsObserved) this.#emit(vcpu, vcpu.now(), 'vm-exit', reason);
  }

  /**
   * A VM exit `vcpu` owes for an interrupt that arrived while it may not be running (a device's
   * completion, a received frame): the exit and the entry after it, `handlerCycles` of exit
   * handling beyond the round trip, charged as hypervisor time at the start of its next burst
   * ({@link Vcpu.defer}); counted now and emitted at the simulator's time of arrival.
   */
  owedVmExit(vcpu: Vcpu, reason: string, handlerCycles = 0): void {
    vcpu.count(MechanismIndex.VmExit);
    vcpu.defer(CostCategory.Hypervisor, this.#costs.vmExitRoundTrip + handlerCycles);
    const events = this.events;
    if (events.vmExitsObserved || events.transitionsObserved) this.#emit(vcpu, this.#sim.now, 'vm-exit', reason);
  }

  #emit(vcpu: Vcpu, time: number, kind: TransitionKind, reason: string): void {
    const e: CpuTransitionEvent = { time, domainId: vcpu.domain.id, vcpu: vcpu.index, reason };
    const events = this.events;
    if (kind === 'hypercall' && events.hypercallsObserved) events.emitHypercall(e);
    else if (kind === 'trap' && events.trapsObserved) events.emitTrap(e);
    else if (kind === 'vm-exit' && events.vmExitsObserved) events.emitVmExit(e);
    if (events.transitionsObserved) events.emitTransition({ ...e, kind });
  }
}

/**
 * The kinds of guest → hypervisor transition.
 *
 * @public
 */
export type TransitionKind = 'hypercall' | 'trap' | 'vm-exit';
