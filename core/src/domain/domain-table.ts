import type { Domain } from './domain.js';

/**
 * The hypervisor's domains by id. Plugins inject it to look domains up (Dom0 control operations).
 *
 * @public
 */
export class DomainTable {
  readonly #byId: (Domain | undefined)[] = [];
  readonly #byName = new Map<string, Domain>();

  /** Adds a domain. */
  add(domain: Domain): void {
    this.#byId[domain.id] = domain;
    this.#byName.set(domain.name, domain);
  }
  /** Removes a destroyed domain. */
  remove(domain: Domain): void {
    this.#byId[domain.id] = undefined;
    this.#byName.delete(domain.name);
  }
  /** Domain with `id`, if it exists. */
  get(id: number): Domain | undefined {
    return this.#byId[id];
  }
  /** Domain named `name`, if it exists. */
  byName(name: string): Domain | undefined {
    return this.#byName.get(name);
  }
  /** Every live domain, by id. */
  all(): Domain[] {
    return this.#byId.filter((d): d is Domain => d !== undefined);
  }
  /** Next free id. */
  get nextId(): number {
    return this.#byId.length;
  }
}
