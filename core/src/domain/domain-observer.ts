import type { Domain } from './domain.js';

/**
 * Optional hooks an extension-point implementation may have: the hypervisor calls them on
 * every bound point when a domain is created or destroyed, so a plugin can set up and tear
 * down its per-domain state (a p2m table, a run queue entry, a shared-info page).
 *
 * @public
 */
export interface DomainObserver {
  /** The domain was created (state `created`); allocate per-domain state here. */
  domainCreated?(domain: Domain): void;
  /** The domain is being destroyed; release everything it held. */
  domainDestroyed?(domain: Domain): void;
}
