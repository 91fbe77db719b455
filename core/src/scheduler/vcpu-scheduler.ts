import type { DomainObserver } from '../domain/domain-observer.js';
import type { Vcpu } from '../domain/vcpu.js';

/**
 * Token for the {@link VcpuScheduler} extension point.
 *
 * @public
 */
export const VcpuScheduler = Symbol.for('visorkit.VcpuScheduler');

/**
 * Chooses which runnable vCPU runs on each pCPU and for how long. The core CPU runner is
 * the only caller, in this protocol:
 *
 * 1. {@link wake} when a vCPU becomes runnable (created and started, or woken from blocking);
 * 2. {@link pick} when a pCPU needs work: returns a runnable vCPU and removes it from the
 *    run queue (or undefined: the pCPU idles until the next wake);
 * 3. {@link sliceNs} for the chosen vCPU's burst length;
 * 4. {@link ran} after the burst with the nanoseconds it ran; `runnable` tells whether it goes
 *    back on the run queue (false: it blocked or halted).
 *
 * A vCPU is never both queued and running. Implementations must be work-conserving unless a
 * cap says otherwise, and must give runnable domains CPU in proportion to their weights.
 *
 * @public
 */
export interface VcpuScheduler extends DomainObserver {
  /** Scheduler name for reports ('bvt', 'credit', 'cfs'…). */
  readonly name: string;
  /** A vCPU became runnable at `now`. */
  wake(vcpu: Vcpu, now: number): void;
  /** The next vCPU for `pcpu`, removed from the queue; undefined when there is none. */
  pick(pcpu: number, now: number): Vcpu | undefined;
  /** Burst length for `vcpu` starting now, in ns (> 0). */
  sliceNs(vcpu: Vcpu, now: number): number;
  /** `vcpu` ran `ranNs` ending at `now`; requeue it if `runnable`. */
  ran(vcpu: Vcpu, ranNs: number, now: number, runnable: boolean): void;
  /** Runnable vCPUs waiting (not running). */
  readonly queued: number;
  /**
   * Optional: the runner hands the scheduler a way to get idle pCPUs going, for schedulers
   * that hold vCPUs back and release them later (token buckets, caps).
   */
  attachRunner?(kick: () => void): void;
  /** Optional: sets the time slice (ns) each vCPU runs before the next is considered. */
  setTimeSlice?(ns: number): void;
}
