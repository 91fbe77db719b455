import { MechanismIndex } from '../accounting/mechanisms.js';
import type { Vcpu } from '../domain/vcpu.js';
import { InvalidArgumentError } from '../errors/visorkit-error.js';
import { PrivilegeViolationError, UnknownHypercallError } from './dispatch-errors.js';

/**
 * Who may make a hypercall.
 *
 * @public
 */
export type HypercallPrivilege = 'any-guest' | 'control-domain';

/**
 * A hypercall handler: gets the calling vCPU and up to four numeric arguments; returns ≥ 0 or throws a typed error.
 *
 * @public
 */
export type HypercallHandler = (vcpu: Vcpu, a0: number, a1: number, a2: number, a3: number) => number;

/**
 * A registered hypercall, as {@link HypercallTable.admit} hands it to the transition path.
 *
 * @public
 */
export interface HypercallEntry {
  readonly name: string;
  readonly handler: HypercallHandler;
  readonly privilege: HypercallPrivilege;
  /** Who may make it, in the platform's words (for the refusal). */
  readonly holder: string;
}

/**
 * The hypercall dispatch table. Plugins register handlers by number at composition time;
 * {@link invoke} checks the caller's privilege before running the handler, and counts every
 * call and every refusal against the calling domain. The entry/exit cost is the CPU model's
 * business, not the table's.
 *
 * @public
 */
export class HypercallTable {
  readonly #entries: (HypercallEntry | undefined)[] = [];
  /** The transition path calls go through, once the composition has one. */
  #path: { hypercall(vcpu: Vcpu, number: number, handlerCycles: number, a0: number, a1: number, a2: number, a3: number): number } | undefined;

  /**
   * Registers `handler` as hypercall `number`. Throws if the number is taken. `holder` names,
   * in the platform's own words, who may make a `control-domain` call (e.g. Xen's 'Dom0'); a
   * refusal says it.
   */
  register(number: number, name: string, handler: HypercallHandler, privilege: HypercallPrivilege = 'any-guest', holder = 'the control domain'): void {
    if (!Number.isInteger(number) || number < 0 || number > 1023) throw new InvalidArgumentError('hypercall number', `${number} is not in 0..1023`);
    const existing = this.#entries[number];
    if (existing !== undefined) throw new InvalidArgumentError('hypercall number', `${number} is already '${existing.name}'`);
    this.#entries[number] = { name, handler, privilege, holder };
  }

  /** Name of hypercall `number`, if registered. */
  nameOf(number: number): string | undefined {
    return this.#entries[number]?.name;
  }

  /** Every registered hypercall, by number: what a guest can call into (a security experiment counts them). */
  entries(): { readonly number: number; readonly name: string; readonly privilege: HypercallPrivilege }[] {
    const out: { number: number; name: string; privilege: HypercallPrivilege }[] = [];
    this.#entries.forEach((e, number) => {
      if (e !== undefined) out.push({ number, name: e.name, privilege: e.privilege });
    });
    return out;
  }

  /**
   * Routes {@link invoke} through the composition's transition path (`GuestTransitions`),
   * which charges the round trip and emits the call. Set once, by core.
   */
  route(path: { hypercall(vcpu: Vcpu, number: number, handlerCycles: number, a0: number, a1: number, a2: number, a3: number): number }): void {
    this.#path = path;
  }

  /**
   * Calls hypercall `number` for `vcpu` through the transition path (round trip charged,
   * counted, emitted). Throws UnknownHypercallError or PrivilegeViolationError (counted).
   */
  invoke(vcpu: Vcpu, number: number, a0 = 0, a1 = 0, a2 = 0, a3 = 0): number {
    if (this.#path !== undefined) return this.#path.hypercall(vcpu, number, 0, a0, a1, a2, a3);
    vcpu.count(MechanismIndex.Hypercall);
    return this.admit(vcpu, number).handler(vcpu, a0, a1, a2, a3);
  }

  /**
   * The entry of hypercall `number` if `vcpu` may make it; otherwise counts a privilege
   * violation and throws UnknownHypercallError or PrivilegeViolationError. The transition
   * path's check; it counts nothing else.
   */
  admit(vcpu: Vcpu, number: number): HypercallEntry {
    const entry = this.#entries[number];
    if (entry === undefined) {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new UnknownHypercallError(vcpu.domain.name, number);
    }
    if (entry.privilege === 'control-domain' && !vcpu.domain.isControl) {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new PrivilegeViolationError(vcpu.domain.name, entry.name, entry.holder);
    }
    return entry;
  }
}
