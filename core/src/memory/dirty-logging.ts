import type { Domain } from '../domain/domain.js';
import type { Gfn } from '../units/units.js';

/**
 * Token for the {@link DirtyLogging} extension point.
 *
 * @public
 */
export const DirtyLogging = Symbol.for('visorkit.DirtyLogging');

/**
 * Optional point: log-dirty mode, what pre-copy live migration and working-set measurement
 * need. While logging, every guest frame the domain writes is recorded — through
 * translations for writes, page zero and copy, page-table writes, and machine frames taken
 * with write intent — and the first write to a frame in each round costs the writer a
 * log-dirty fault. A composition without it cannot migrate a domain live (the
 * `live-migration` capability follows from this point being bound).
 *
 * Callers: migration and measurement code (the hypervisor's user), never the guest.
 *
 * @public
 */
export interface DirtyLogging {
  /** From now on, record every guest frame the domain writes. */
  startDirtyLog(domain: Domain): void;
  /** Frames written since the last call (ascending); clears the log. */
  collectDirty(domain: Domain): Gfn[];
  /** Whether `gfn` was written since the last {@link collectDirty}, leaving the log as it is (a peek). */
  peekDirty(domain: Domain, gfn: Gfn): boolean;
  /** Stops dirty logging. */
  stopDirtyLog(domain: Domain): void;
  /** Every guest frame the domain has populated, ascending (what a first round or a checkpoint sends). */
  populatedFrames(domain: Domain): Gfn[];
}
