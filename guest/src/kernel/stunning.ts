import type { Vcpu } from '@visorkit/core';
import type { Process } from '../process/process.js';
import type { Kernel } from './kernel.js';

/** The mechanism a platform counts a log-dirty write fault under (xen-pv, hw-assist). */
const WRITE_FAULT = 'log-dirty-fault';

/**
 * "Stunning" (Clark et al., NSDI 2005, §5.4): while a live migration pre-copies, a process
 * that takes more than the limit of write faults in one round is moved to a wait queue until
 * the next round begins, so that one process dirtying memory fast cannot keep the rounds from
 * converging. The kernel is told when each round begins (the save tool's rounds, through
 * `MigratableProgram.precopyRound`); the write faults a process takes are the platform's
 * log-dirty faults counted while it was on the CPU, its own stores and the kernel's on its
 * behalf (copies into its buffers) alike.
 */
export class Stunning {
  /** Write faults allowed per process per round; 0 while off. */
  #limit = 0;
  /** The round under way (0: none), so a call per vCPU acts once. */
  #round = 0;
  /** Write faults of each process this round, by pid. */
  readonly #faults = new Map<number, number>();
  /** Processes stunned this round. */
  readonly #stunned: Process[] = [];
  #faultIndex = -1;
  #stunIndex = -1;
  /** The domain's write-fault count when the running process last began running (or was last charged). */
  #mark = 0;

  constructor(readonly k: Kernel) {}

  /** Whether processes are being watched (a round with a limit is under way). */
  get active(): boolean {
    return this.#limit > 0;
  }

  /** Round `round` begins (0: iteration is over): counts start again, the stunned run again. */
  round(round: number, limit: number | undefined): void {
    if (round === this.#round) return;
    this.#round = round;
    this.#limit = round > 0 && limit !== undefined ? limit : 0;
    this.#faults.clear();
    if (this.#limit > 0 && this.#faultIndex < 0) {
      this.#faultIndex = this.k.hv.mechanisms.register(WRITE_FAULT);
      this.#stunIndex = this.k.hv.mechanisms.register('process-stunned');
    }
    this.#wakeStunned();
  }

  /** After a live migration: nothing is watched on the new machine; indices are per hypervisor. */
  migrated(): void {
    this.#limit = 0;
    this.#round = 0;
    this.#faults.clear();
    this.#faultIndex = -1;
    this.#stunIndex = -1;
    this.#wakeStunned();
  }

  /** `p` goes on the CPU: the write faults from now on are its own. */
  begin(): void {
    this.#mark = this.k.domain.counts[this.#faultIndex]!;
  }

  /**
   * Charges `p` the write faults taken since {@link begin} (or the last check); over the
   * limit it is stunned — blocked until the next round begins — and true is returned. Called
   * as it runs (after each page a touch writes, as the fault handler would count) and when
   * it leaves the CPU (for the faults the kernel's copies took on its behalf).
   */
  check(vcpu: Vcpu, p: Process): boolean {
    const now = this.k.domain.counts[this.#faultIndex]!;
    const taken = now - this.#mark;
    if (taken === 0) return false;
    this.#mark = now;
    const total = (this.#faults.get(p.pid) ?? 0) + taken;
    this.#faults.set(p.pid, total);
    if (total <= this.#limit || p.state !== 'running') return false;
    this.k.scheduler.block(p, 'stunned');
    this.#stunned.push(p);
    vcpu.count(this.#stunIndex);
    return true;
  }

  #wakeStunned(): void {
    for (const p of this.#stunned) if (p.state === 'blocked' && p.blockedOn === 'stunned') this.k.scheduler.makeRunnable(p);
    this.#stunned.length = 0;
  }
}
