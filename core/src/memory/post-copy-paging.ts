import type { Domain } from '../domain/domain.js';
import type { Vcpu } from '../domain/vcpu.js';
import type { Gfn } from '../units/units.js';

/**
 * Token for the {@link PostCopyPaging} extension point.
 *
 * @public
 */
export const PostCopyPaging = Symbol.for('visorkit.PostCopyPaging');

/**
 * Optional point: post-copy demand paging. A domain resumed on a new machine before its
 * memory arrived faults on the first touch of each page still on the source; the fault
 * fetches it (and the toucher waits), while a background push delivers the rest.
 *
 * Callers: the migration driver only.
 *
 * @public
 */
export interface PostCopyPaging {
  /**
   * `gfns` of the (arriving) domain still live on the source; the first touch of one calls
   * `fetch` before the access completes.
   */
  expectRemotePages(domain: Domain, gfns: readonly Gfn[], fetch: (vcpu: Vcpu, gfn: Gfn) => void): void;
  /** The background push delivered `gfn`; returns false if it was already here. */
  pageArrived(domain: Domain, gfn: Gfn): boolean;
}
