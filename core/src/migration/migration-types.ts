import type { Hypervisor } from '../composition/hypervisor.js';
import type { Domain } from '../domain/domain.js';
import type { VcpuProgram } from '../domain/vcpu.js';
import type { PrecopyLimits } from './precopy-limits.js';
import type { MigrationSenderSpec } from './migration-sender.js';

/**
 * How a domain moves. Names are public interface.
 *
 * @public
 */
export type MigrationMode = 'live' | 'post-copy' | 'auto-converge' | 'stop-and-copy';

/**
 * What a pre-copy policy sees at the end of a round.
 *
 * @public
 */
export interface RoundSummary {
  /** 1-based round number. */
  readonly round: number;
  /** Pages dirtied while the round was sent (what the next round would send). */
  readonly dirtyPages: number;
  /** Pages sent in the round. */
  readonly pagesSent: number;
  /** Round duration in ns. */
  readonly durationNs: number;
}

/**
 * Decides after each pre-copy round whether to stop and copy the rest.
 *
 * @public
 */
export type PrecopyPolicy = (round: RoundSummary) => 'continue' | 'stop-and-copy';

/**
 * Xen's rule (Clark et al., NSDI 2005, as the Xen tools apply it): stop iterating once a
 * round leaves fewer than 50 dirty pages, or after 5 rounds.
 *
 * @public
 */
export function xenPrecopyPolicy(stopBelowPages = 50, maxRounds = 5): PrecopyPolicy {
  return (r) => (r.dirtyPages < stopBelowPages || r.round >= maxRounds ? 'stop-and-copy' : 'continue');
}

/**
 * A vCPU program that can continue on another machine after migration.
 *
 * @public
 */
export interface MigratableProgram extends VcpuProgram {
  /** The same program, continuing from where it stopped, bound to `domain` on `target`. */
  migrateTo(target: Hypervisor, domain: Domain): VcpuProgram;
  /**
   * A paravirtual guest told about pre-copy (optional): round `round` (1-based) begins, or,
   * with round 0, iteration is over and the final copy follows. With `stunWriteFaults` set,
   * the guest stuns processes taking more write faults than that within one round
   * ({@link PrecopyLimits.stunWriteFaults}); undefined stuns none. Called on every vCPU's
   * program, once per round each.
   */
  precopyRound?(round: number, stunWriteFaults: number | undefined): void;
}

/**
 * Options of one migration.
 *
 * @public
 */
export interface MigrationOptions {
  readonly mode: MigrationMode;
  /** Link bandwidth between the machines, Mbit/s. */
  readonly linkMbps: number;
  /** One-way link latency, µs. */
  readonly latencyUs: number;
  /** First-round rate limit, Mbit/s (Xen starts low and adapts; default a tenth of the link). */
  readonly minMbps?: number;
  /**
   * The pre-copy save loop's constants (default {@link XEN_PRECOPY}: today's stop rule;
   * {@link XEN_2005_PRECOPY} is the save tool Clark et al. measured).
   */
  readonly precopy?: PrecopyLimits;
  /** An extra stop rule consulted after the limits' own (e.g. {@link xenPrecopyPolicy}). */
  readonly policy?: PrecopyPolicy;
  /**
   * Send through the source machine's NIC, so that the migration stream and the guest's own
   * traffic queue for one wire (as the save tool's TCP connection does); otherwise the
   * stream has a link of its own.
   */
  readonly throughSourceNic?: boolean;
  /**
   * Do the page work on a control-domain vCPU of the source (the save tool in Dom0), so that it
   * competes with the guests for CPU; otherwise it costs no CPU.
   */
  readonly sender?: MigrationSenderSpec;
  /** vCPU and device state sent in the stop-and-copy phase, bytes (default 64 KiB). */
  readonly stateBytes?: number;
  /**
   * A domain with an assigned SR-IOV function cannot carry it across: with true, the
   * function is hot-unplugged and the domain falls back to a paravirtual device first;
   * otherwise the migration is refused.
   */
  readonly fallBackFromPassthrough?: boolean;
}

/**
 * One pre-copy round as reported.
 *
 * @public
 */
export interface MigrationRound {
  readonly round: number;
  /** Pages sent in the round. */
  readonly pages: number;
  /** Pages the round skipped because the guest had written them again meanwhile. */
  readonly skipped: number;
  /** The round's rate limit, Mbit/s. */
  readonly mbps: number;
  /** When the round began, ms after the migration started. */
  readonly startMs: number;
  readonly durationMs: number;
  /** Pages the guest dirtied while the round ran (the next round's work). */
  readonly dirtied: number;
}

/**
 * What a finished migration reports.
 *
 * @public
 */
export interface MigrationReport {
  readonly mode: MigrationMode;
  readonly totalMs: number;
  readonly downtimeMs: number;
  readonly pagesSent: number;
  /** Bytes that crossed the wire: pages plus the final vCPU and device state. */
  readonly bytesSent: number;
  readonly rounds: readonly MigrationRound[];
  /** When the guest was paused, and when it resumed on the target, ms after the start. */
  readonly pausedAtMs: number;
  readonly resumedAtMs: number;
  /** Why iteration stopped (`max-rounds`, `few-dirty`, `sent-factor`, `rate-cap`, `policy`), or the mode's own phase. */
  readonly stopReason: string;
  /** Post-copy: pages the destination had to fetch on demand. */
  readonly demandFaults: number;
  /** Auto-converge: the final throttle (fraction of CPU taken from the guest). */
  readonly throttle: number;
}
