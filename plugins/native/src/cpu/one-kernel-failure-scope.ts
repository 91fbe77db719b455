import { DomainTable, inject, injectable, type Domain, type FailureScope } from '@visorkit/core';

/**
 * Bare metal runs one OS: whatever runs on it shares its kernel, so a fault in it takes every
 * domain down (and a container plugin on this kernel inherits the same scope).
 *
 * @public
 */
@injectable()
export class OneKernelFailureScope implements FailureScope {
  constructor(@inject(DomainTable) readonly domains: DomainTable) {}

  failingWith(_domain: Domain): readonly Domain[] {
    return this.domains.all();
  }
}
