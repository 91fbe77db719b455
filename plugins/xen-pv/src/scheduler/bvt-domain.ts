import { domainExtension, type Domain, type DomainExtension } from '@visorkit/core';

/**
 * A domain's parameters under BVT (Duda & Cheriton, SOSP 1999; Xen's `xm sched-bvt`).
 *
 * @public
 */
export interface BvtDomainParameters {
  /** Virtual time a latency-sensitive domain may borrow on waking (its warp), in ms; 0: none. */
  readonly warpMs: number;
}

/**
 * Where a domain's {@link BvtDomainParameters} go in its spec:
 * `hv.createDomain({ name: 'interactive', extensions: BvtDomain.with({ warpMs: 10 }) })`.
 * Schedulers other than BVT ignore them.
 *
 * @public
 */
export const BvtDomain: DomainExtension<BvtDomainParameters> = domainExtension('xen-pv.bvt');

/** `domain`'s warp in ms (0 when its spec sets none). */
export function warpMsOf(domain: Domain): number {
  return BvtDomain.of(domain)?.warpMs ?? 0;
}
