import {
  CostCategory,
  gfn,
  type BurstExit,
  type CheckpointableProgram,
  type Hypervisor,
  type MigratableProgram,
  type Vcpu,
  type VcpuProgram,
} from '@visorkit/core';

/**
 * How a guest writes its memory: the writable working set and how fast it dirties it.
 *
 * @public
 */
export interface DirtyingProfile {
  /** Name used in result rows (`idle`, `web-server`, `memory-hammer`). */
  readonly name: string;
  /** Pages written per millisecond of run time. */
  readonly pagesPerMs: number;
  /** Pages the writes cycle through (the writable working set). */
  readonly workingSetPages: number;
}

/**
 * The memory behaviour that matters to migration, as a vCPU program: it writes
 * `pagesPerMs` pages per millisecond it runs, cycling through a working set above its
 * image. Writes go through the platform's memory virtualisation (page zero), so dirty
 * logging sees them and charges its faults. It can migrate and be checkpointed.
 *
 * @public
 */
export class DirtyingGuest implements MigratableProgram, CheckpointableProgram {
  readonly kind = 'dirtying-guest';
  #carry = 0;

  constructor(
    readonly hv: Hypervisor,
    readonly profile: DirtyingProfile,
    /** First page of the working set. */
    readonly base: number,
    public cursor = 0,
  ) {}

  run(vcpu: Vcpu, budget: number): BurstExit {
    const ms = (budget * vcpu.nsPerCycle) / 1e6;
    this.#carry += ms * this.profile.pagesPerMs;
    const writes = Math.floor(this.#carry);
    this.#carry -= writes;
    // The working set, as far as the domain's memory reaches.
    const span = Math.max(1, Math.min(this.profile.workingSetPages, this.hv.memory.frames(vcpu.domain) - this.base));
    for (let i = 0; i < writes; i++) this.hv.memory.zeroFrame(vcpu, gfn(this.base + (this.cursor++ % span)));
    if (vcpu.burstCycles < budget) vcpu.charge(CostCategory.GuestUser, budget - vcpu.burstCycles);
    return 'budget';
  }

  migrateTo(target: Hypervisor): VcpuProgram {
    return new DirtyingGuest(target, this.profile, this.base, this.cursor);
  }

  saveState(): unknown {
    return { profile: this.profile, base: this.base, cursor: this.cursor };
  }
}

/**
 * The three guests of the migration experiment (rates after Clark et al.'s workloads).
 *
 * @public
 */
export const DIRTYING_PROFILES: readonly DirtyingProfile[] = [
  { name: 'idle', pagesPerMs: 0, workingSetPages: 1 },
  // A web server dirties a modest set: buffers, logs, session state (~8 MB/s over 8 MB).
  { name: 'web-server', pagesPerMs: 2, workingSetPages: 2048 },
  // A memory hammer rewrites a large buffer faster than a gigabit link drains it.
  { name: 'memory-hammer', pagesPerMs: 60, workingSetPages: 16384 },
];
