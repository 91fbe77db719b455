import { type Prng, Simulator, inject, injectable, type Vcpu, type VcpuScheduler } from '@visorkit/core';

/**
 * Lottery scheduling (Waldspurger & Weihl, OSDI 1994): each runnable vCPU holds tickets in
 * proportion to its domain's weight; every decision draws a ticket at random. Proportional
 * share holds in expectation, with no per-vCPU history at all. Written only against
 * `@visorkit/core`'s public exports, as an outside author would.
 *
 * @public
 */
@injectable()
export class LotteryScheduler implements VcpuScheduler {
  readonly name = 'lottery';
  readonly #runnable: Vcpu[] = [];
  readonly #random: Prng;

  constructor(@inject(Simulator) sim: Simulator) {
    // A stream of its own: adding this scheduler does not shift anyone else's random numbers.
    this.#random = sim.random.fork('lottery-scheduler');
  }

  get queued(): number {
    return this.#runnable.length;
  }

  wake(vcpu: Vcpu): void {
    this.#runnable.push(vcpu);
  }

  pick(): Vcpu | undefined {
    if (this.#runnable.length === 0) return undefined;
    let total = 0;
    for (const v of this.#runnable) total += this.#tickets(v);
    let draw = this.#random.next() * total;
    for (let i = 0; i < this.#runnable.length; i++) {
      draw -= this.#tickets(this.#runnable[i]!);
      if (draw < 0) return this.#runnable.splice(i, 1)[0];
    }
    return this.#runnable.pop();
  }

  sliceNs(): number {
    return 1e6; // 1 ms quanta: many draws, so shares converge quickly
  }

  ran(vcpu: Vcpu, _ranNs: number, _now: number, runnable: boolean): void {
    if (runnable) this.#runnable.push(vcpu);
  }

  #tickets(vcpu: Vcpu): number {
    return vcpu.domain.weight / vcpu.domain.vcpus.length;
  }
}
