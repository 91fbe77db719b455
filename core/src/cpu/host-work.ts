import { InvalidArgumentError } from '../errors/visorkit-error.js';

/**
 * What runs host work on the pCPUs: the CPU runner.
 *
 * @internal
 */
export interface HostWorkRunner {
  /** Queues `cycles` of host work on a pCPU it picks and returns that pCPU. */
  runHostWork(cycles: number): number;
}

/**
 * Work the hypervisor or the host kernel does on its own account, on no vCPU's behalf: a
 * page-sharing scanner (Linux's ksmd), a scrubber, a balloon thread. It takes a pCPU from the
 * guests as a host thread does: it runs on the first idle pCPU, or else on the one that frees
 * up first — after the burst running there ends (bursts are not preempted, as for a woken
 * vCPU) — and no vCPU runs there until it is done. Its cycles are charged to that pCPU's
 * account as hypervisor time, so they show in the pCPU figures and the guests' share of the
 * machine shrinks by them.
 *
 * A plugin injects it (`@inject(HostWork)`) and calls {@link run} with the cycles its work
 * took: the work's events times the profile's primitives.
 *
 * @public
 */
export class HostWork {
  #runner: HostWorkRunner | undefined;
  #cycles = 0;

  /** The runner hands itself over when the hypervisor is composed. @internal */
  attach(runner: HostWorkRunner): void {
    this.#runner = runner;
  }

  /** Runs `cycles` of host work on a pCPU and returns the pCPU it was queued on (-1 for none: zero cycles). */
  run(cycles: number): number {
    if (!Number.isFinite(cycles) || cycles < 0) throw new InvalidArgumentError('host work', `expected a finite, non-negative number of cycles, got ${cycles}`);
    if (cycles === 0) return -1;
    if (this.#runner === undefined) throw new InvalidArgumentError('host work', 'no CPU runner is attached: run host work on a composed hypervisor');
    this.#cycles += cycles;
    return this.#runner.runHostWork(cycles);
  }

  /** Cycles of host work queued so far. */
  get cycles(): number {
    return this.#cycles;
  }
}
