import { COST_CATEGORY_COUNT, type CostCategory } from '../accounting/cost-category.js';
import type { Domain } from './domain.js';

/**
 * What a vCPU is doing.
 *
 * @public
 */
export type VcpuState = 'offline' | 'runnable' | 'running' | 'blocked';

/**
 * Why a {@link VcpuProgram} returned from a burst.
 *
 * @public
 */
export type BurstExit = 'budget' | 'blocked' | 'yield' | 'halted';

/**
 * What runs on a vCPU: the guest kernel model, or a bare program in core tests. The runner
 * calls {@link VcpuProgram.run} with a cycle budget; the program charges what it does to
 * the vCPU and returns when the budget is spent, it blocks, yields or halts.
 *
 * @public
 */
export interface VcpuProgram {
  /** Runs one burst. Must charge at least one cycle unless it returns 'blocked' or 'halted'. */
  run(vcpu: Vcpu, budgetCycles: number): BurstExit;
}

/**
 * A virtual CPU, and the execution context plugins receive on the hot path: it carries the
 * domain, accumulates the cycles of the current burst, and counts mechanism events.
 *
 * @public
 */
export class Vcpu {
  /** Current state. Changed only by the CPU runner. */
  state: VcpuState = 'offline';
  /** pCPU it is running on, or -1. */
  pcpu = -1;
  /** Last pCPU it ran on (affinity), or -1. */
  lastPcpu = -1;
  /** What it runs. */
  program: VcpuProgram | undefined;
  /** Cycles charged in the current burst. */
  burstCycles = 0;
  /** Simulated time the current burst started at (ns). */
  burstStart = 0;
  /** Total nanoseconds this vCPU has run (its virtual time). */
  runtimeNs = 0;
  /** Cycles charged, by {@link CostCategory}. */
  readonly cycles = new Float64Array(COST_CATEGORY_COUNT);
  /** Work owed by category (interrupts, receive paths that arrived while not running). */
  readonly deferred = new Float64Array(COST_CATEGORY_COUNT);
  /** True when {@link deferred} holds anything. */
  hasDeferred = false;
  /** Per-scheduler state; owned by the bound VcpuScheduler. */
  schedulerData: unknown;
  /** True while the vCPU sits in its scheduler's run queue (maintained by the runner). */
  queued = false;
  /** Set when a wake arrives while the vCPU is mid-burst; the runner keeps it runnable. */
  wakePending = false;
  /** Address-space id for tagged TLBs (VPID/ASID); assigned by the memory plugin. */
  asid = 0;

  constructor(
    /** The domain this vCPU belongs to. */
    readonly domain: Domain,
    /** Index within the domain. */
    readonly index: number,
    nsPerCycle: number,
  ) {
    this.#nsPerCycle = nsPerCycle;
  }
  readonly #nsPerCycle: number;

  /** Charges `cycles` of work in `category` to the current burst and the accounts. */
  charge(category: CostCategory, cycles: number): void {
    this.burstCycles += cycles;
    this.cycles[category] = this.cycles[category]! + cycles;
  }

  /**
   * Records work this vCPU owes but cannot do now (it is not running: an interrupt or a
   * packet arrived). The runner charges it at the start of the vCPU's next burst.
   */
  defer(category: CostCategory, cycles: number): void {
    this.deferred[category] = this.deferred[category]! + cycles;
    this.hasDeferred = true;
  }

  /** Charges and clears deferred work (called by the runner at the start of a burst). */
  payDeferred(): void {
    if (!this.hasDeferred) return;
    for (let c = 0; c < this.deferred.length; c++) {
      const d = this.deferred[c]!;
      if (d !== 0) {
        // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- deferred is indexed by CostCategory, so every index is one
        this.charge(c as CostCategory, d);
        this.deferred[c] = 0;
      }
    }
    this.hasDeferred = false;
  }

  /** Counts `n` events of mechanism index `mechanism` for this vCPU's domain. */
  count(mechanism: number, n = 1): void {
    const counts = this.domain.counts;
    counts[mechanism] = counts[mechanism]! + n;
  }

  /** Simulated time now, as seen from inside the current burst (ns, fractional). */
  now(): number {
    return this.burstStart + this.burstCycles * this.#nsPerCycle;
  }

  /** Nanoseconds per cycle of this machine. */
  get nsPerCycle(): number {
    return this.#nsPerCycle;
  }

  /** A short label: `dom1.v0`. */
  get label(): string {
    return `${this.domain.name}.v${this.index}`;
  }
}
