import { CostCategory, type Prng, type BurstExit, type Hypervisor, type Vcpu, type VcpuProgram } from '@visorkit/core';

/**
 * A TLB-miss-heavy guest: random word accesses over a working set far beyond TLB reach.
 * Each access translates through the platform's memory virtualisation (TLB, then the walk
 * it charges) and pays one memory reference for the data itself (a random access over a
 * large set misses the caches). It stops after `accesses` accesses.
 *
 * @public
 */
export class RandomAccessProgram implements VcpuProgram {
  done = 0;
  readonly #rng: Prng;
  readonly #dataCycles: number;

  constructor(
    readonly hv: Hypervisor,
    readonly firstVpn: number,
    readonly pages: number,
    readonly accesses: number,
    /** Where the addresses come from: a fork of the run's `Simulator.random`. */
    random: Prng,
  ) {
    this.#rng = random;
    this.#dataCycles = hv.profile.memory.referenceLatencyNs * hv.profile.cpu.clockGhz;
  }

  run(vcpu: Vcpu, budget: number): BurstExit {
    const memory = this.hv.memory;
    while (vcpu.burstCycles < budget) {
      if (this.done >= this.accesses) return 'halted';
      const vpn = this.firstVpn + this.#rng.int(this.pages);
      if (memory.translate(vcpu, vpn, false) < 0) throw new Error(`random-access: page ${vpn} is not mapped`);
      vcpu.charge(CostCategory.GuestUser, this.#dataCycles);
      this.done++;
    }
    return 'budget';
  }
}
