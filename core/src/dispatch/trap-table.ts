import { MechanismIndex } from '../accounting/mechanisms.js';
import type { Vcpu } from '../domain/vcpu.js';
import { GuestRequestError } from './dispatch-errors.js';

/**
 * x86 exception vectors the model uses.
 *
 * @public
 */
export const TrapVector = {
  DivideError: 0,
  GeneralProtection: 13,
  PageFault: 14,
  /** Linux's system-call gate. */
  SystemCall: 0x80,
} as const;

/**
 * A guest's handler for a trap vector.
 *
 * @public
 */
export type TrapHandler = (vcpu: Vcpu, vector: number, info: number) => void;

/**
 * Validates a guest's handler before it is installed (Xen checks the code segment's privilege).
 *
 * @public
 */
export type TrapValidator = (vcpu: Vcpu, vector: number, ring: number) => void;

/**
 * Per-domain trap tables (the guest's IDT as the hypervisor sees it). A guest installs
 * handlers — on Xen PV through `set_trap_table`, validated at install time so that fast
 * system-call handlers can later run without Xen — and {@link deliver} runs them. A vector
 * with no handler crashes only the guest that raised it (a triple fault), never the machine.
 *
 * @public
 */
export class TrapTable {
  readonly #tables = new Map<number, (TrapHandler | undefined)[]>();
  #validator: TrapValidator | undefined;

  /** The platform's install-time check (at most one; set by the CPU plugin). */
  setValidator(validator: TrapValidator): void {
    this.#validator = validator;
  }

  /** Installs a handler for `vector` in `vcpu`'s domain, running at `ring`. */
  install(vcpu: Vcpu, vector: number, ring: number, handler: TrapHandler): void {
    if (!Number.isInteger(vector) || vector < 0 || vector > 255)
      throw new GuestRequestError(vcpu.domain.name, 'set_trap_table', `vector ${vector} is not in 0..255`);
    this.#validator?.(vcpu, vector, ring);
    let table = this.#tables.get(vcpu.domain.id);
    if (table === undefined) this.#tables.set(vcpu.domain.id, (table = []));
    table[vector] = handler;
  }

  /** True when `vcpu`'s domain has a handler for `vector`. */
  has(vcpu: Vcpu, vector: number): boolean {
    return this.#tables.get(vcpu.domain.id)?.[vector] !== undefined;
  }

  /** Delivers trap `vector` to `vcpu`'s domain. Returns false when there is no handler. */
  deliver(vcpu: Vcpu, vector: number, info = 0): boolean {
    vcpu.count(MechanismIndex.Trap);
    const handler = this.#tables.get(vcpu.domain.id)?.[vector];
    if (handler === undefined) return false;
    handler(vcpu, vector, info);
    return true;
  }

  /** Forgets a destroyed domain's table. */
  clear(domain: number): void {
    this.#tables.delete(domain);
  }
}
