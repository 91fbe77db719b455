import type { Vcpu } from '../domain/vcpu.js';
import type { Gfn } from '../units/units.js';

/**
 * Token for the {@link MemoryBalloon} extension point.
 *
 * @public
 */
export const MemoryBalloon = Symbol.for('visorkit.MemoryBalloon');

/**
 * Optional point: the balloon. The guest's balloon driver hands frames back to the
 * hypervisor and takes them back later, so a domain's memory can shrink and grow without a
 * reboot. A frame handed back stops being backed by machine memory and may not be touched
 * until reclaimed (a touch is refused with a typed error).
 *
 * Callers: the guest kernel's balloon driver.
 *
 * @public
 */
export interface MemoryBalloon {
  /** The guest hands `frames` back: they stop being backed by machine memory. */
  releaseFrames(vcpu: Vcpu, frames: readonly Gfn[]): void;
  /** The guest takes released frames back, refused beyond its current maximum. */
  reclaimFrames(vcpu: Vcpu, frames: readonly Gfn[]): void;
}
