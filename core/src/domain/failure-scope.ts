import { serviceToken, type ServiceToken } from '../composition/service-token.js';
import type { Domain } from './domain.js';

/**
 * Which domains fail together: the domains a fault in one domain's software (its kernel, say)
 * takes down with it. A plugin whose domains share such software binds one — one kernel under
 * every domain puts them all in one scope; a kernel per domain needs none, since then each
 * domain fails alone. Whoever injects the fault (the guest model's `kernelFault`) asks it.
 *
 * @public
 */
export interface FailureScope {
  /** The domains that go down with a fault in `domain`'s software, `domain` included, in id order. */
  failingWith(domain: Domain): readonly Domain[];
}

/**
 * Token of the composition's {@link FailureScope}; unbound, every domain is its own scope.
 *
 * @public
 */
export const FailureScope: ServiceToken<FailureScope> = serviceToken('FailureScope');
