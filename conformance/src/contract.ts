import { VisorkitError, bundledProfiles, type Hypervisor, type MachineProfile } from '@visorkit/core';

/**
 * Builds a fresh hypervisor of the composition under test on a profile. The kit builds a
 * second machine for migration from the first one's plugins (`hv.plugins`), on one shared
 * simulator.
 *
 * @public
 */
export type Compose = (profile: MachineProfile) => Hypervisor;

/**
 * A contract failed: the message names the contract, the composition and what was seen.
 *
 * @public
 */
export class ContractViolationError extends VisorkitError {
  /**
   * @param contract the contract's id, e.g. `memory/translations-agree-with-the-page-tables`
   * @param composition the composition's name
   * @param detail what was observed
   */
  constructor(
    readonly contract: string,
    readonly composition: string,
    readonly detail: string,
  ) {
    super('CONTRACT_VIOLATION', `Contract '${contract}' violated by '${composition}': ${detail}`);
  }
}

/**
 * One contract: an id, the sentence it promises, and a check that throws when broken.
 *
 * @public
 */
export interface Contract {
  readonly contract: string;
  readonly sentence: string;
  /** Set when the composition waived this contract: the stated reason (printed with the results). */
  readonly waiver?: string;
  check(compose: Compose, name: string): void;
}

/**
 * A hypervisor of the composition on the first bundled profile it runs on (server-2007,
 * then modern, then xeon-2003): a platform may need hardware an older machine lacks.
 *
 * @public
 */
export function composeSomewhere(compose: Compose, profile?: MachineProfile): Hypervisor {
  const order = profile !== undefined ? [profile] : ['server-2007', 'modern', 'xeon-2003'].map((n) => bundledProfiles.find((p) => p.name === n)!);
  let last: unknown;
  for (const p of order) {
    try {
      return compose(p);
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

/**
 * The first bundled profile the composition runs on.
 *
 * @public
 */
export function profileFor(compose: Compose): MachineProfile {
  return composeSomewhere(compose).profile;
}

/**
 * Throws a {@link ContractViolationError} unless `ok`.
 *
 * @public
 */
export function expect(ok: boolean, contract: string, name: string, detail: string): void {
  if (!ok) throw new ContractViolationError(contract, name, detail);
}
