import { COST_CATEGORY_COUNT, CostCategory } from '../accounting/cost-category.js';
import { MechanismIndex } from '../accounting/mechanisms.js';
import type { Vcpu } from '../domain/vcpu.js';
import type { CpuEvents } from '../events/cpu-events.js';
import type { Machine } from '../machine/machine.js';
import type { VcpuScheduler } from '../scheduler/vcpu-scheduler.js';
import type { Simulator } from '../sim/simulator.js';
import type { CpuVirtualization } from './cpu-virtualization.js';
import type { HostWork } from './host-work.js';

/**
 * Runs vCPUs on pCPUs in bursts: ask the scheduler for a vCPU, charge the world switch, run
 * the vCPU's program for at most its slice, post one event at the end of the burst, repeat.
 * One queue event per burst keeps the hot path in plain function calls.
 *
 * Every cycle of a pCPU's time is charged to exactly one cost category (idle included), so
 * per-pCPU accounts add up to elapsed time. A burst is credited to its pCPU when it ends,
 * so at any instant the accounts cover completed bursts and idle time up to now. A wake does not preempt a running burst: latency
 * is bounded by the scheduler's slice, as on a hypervisor without preemption timers.
 *
 * @public
 */
export class CpuRunner {
  readonly #idleSince: number[];
  readonly #idle: boolean[];
  readonly #last: (Vcpu | undefined)[];
  readonly #before = new Float64Array(COST_CATEGORY_COUNT);
  /** Per pCPU, the cycles of the burst in flight by category: credited when it ends. */
  readonly #inFlight: Float64Array[];
  #kickPending = false;

  #scheduler: VcpuScheduler;
  /** The vCPU each pCPU is running (undefined: idle or between bursts). */
  readonly #current: (Vcpu | undefined)[];
  /** vCPUs that were mid-burst when the scheduler was replaced. */
  readonly #crossedSwap = new Set<Vcpu>();
  /** Per pCPU, cycles of host work queued to run when it next becomes free ({@link HostWork}). */
  readonly #hostPending: Float64Array;
  /** Per pCPU, when its burst or host work in flight ends (ns). */
  readonly #freeAt: Float64Array;

  constructor(
    readonly sim: Simulator,
    readonly machine: Machine,
    scheduler: VcpuScheduler,
    readonly cpu: CpuVirtualization,
    readonly events: CpuEvents,
    hostWork?: HostWork,
  ) {
    this.#scheduler = scheduler;
    const n = machine.pcpus.length;
    this.#hostPending = new Float64Array(n);
    this.#freeAt = new Float64Array(n);
    hostWork?.attach(this);
    this.#idleSince = new Array<number>(n).fill(0);
    this.#idle = new Array<boolean>(n).fill(true);
    this.#last = new Array<Vcpu | undefined>(n).fill(undefined);
    this.#inFlight = Array.from({ length: n }, () => new Float64Array(COST_CATEGORY_COUNT));
    this.#current = new Array<Vcpu | undefined>(n).fill(undefined);
    scheduler.attachRunner?.(() => this.kick());
  }

  /** Gets idle pCPUs asking the scheduler for work again (a held vCPU was released). */
  kick(): void {
    if (this.idlePcpus > 0) this.#kickIdle();
  }

  /**
   * Queues `cycles` of host work (see {@link HostWork}) on the first idle pCPU, or else on
   * the one whose burst ends first, and returns that pCPU. It runs before any vCPU is
   * dispatched there again.
   */
  runHostWork(cycles: number): number {
    let p = this.#idle.indexOf(true);
    if (p < 0) {
      p = 0;
      for (let q = 1; q < this.#freeAt.length; q++) if (this.#freeAt[q]! < this.#freeAt[p]!) p = q;
    }
    this.#hostPending[p] = this.#hostPending[p]! + cycles;
    if (this.#idle[p]) this.#kickIdle();
    return p;
  }

  /** The scheduler in use (the runner is the one indirection everything goes through). */
  get scheduler(): VcpuScheduler {
    return this.#scheduler;
  }

  /**
   * Swaps the vCPU scheduler while the machine runs (live update): every queued vCPU moves
   * to the new scheduler in the order the old one would have picked it; running vCPUs
   * report their bursts to the new one. No vCPU is lost or duplicated.
   */
  replaceScheduler(next: VcpuScheduler): void {
    const old = this.#scheduler;
    const now = this.sim.now;
    const moved: Vcpu[] = [];
    for (let v = old.pick(0, now); v !== undefined; v = old.pick(0, now)) moved.push(v);
    this.#scheduler = next;
    next.attachRunner?.(() => this.kick());
    for (const v of moved) {
      v.schedulerData = undefined;
      if (v.state === 'runnable') next.wake(v, now);
      else v.queued = false;
    }
    // Running vCPUs finish their bursts, then join the new scheduler as if just woken.
    for (const v of this.#current) {
      if (v === undefined) continue;
      v.schedulerData = undefined;
      this.#crossedSwap.add(v);
    }
  }

  /** Makes `vcpu` runnable (start, or wake from blocking) and gets an idle pCPU going. */
  wake(vcpu: Vcpu): void {
    if (vcpu.state === 'running') {
      vcpu.wakePending = true;
      return;
    }
    if (vcpu.state === 'runnable') return;
    vcpu.state = 'runnable';
    // A stopped vCPU may still have a stale entry queued: reuse it rather than queue twice.
    if (!vcpu.queued) {
      vcpu.queued = true;
      this.#scheduler.wake(vcpu, this.sim.now);
    }
    this.#kickIdle();
  }

  /** Takes `vcpu` off the CPUs (pause, shutdown): it stops at the end of its burst. */
  stop(vcpu: Vcpu): void {
    vcpu.wakePending = false;
    if (vcpu.state !== 'running') vcpu.state = 'offline';
    // A queued vCPU stays in the scheduler's queue until picked, then is discarded.
  }

  /** Number of pCPUs idle now. */
  get idlePcpus(): number {
    let n = 0;
    for (const i of this.#idle) if (i) n++;
    return n;
  }

  /** Charges idle time up to now on idle pCPUs (call before reading accounts). */
  settleIdle(): void {
    const now = this.sim.now;
    for (let p = 0; p < this.#idle.length; p++) {
      if (!this.#idle[p]) continue;
      this.#chargeIdle(p, now);
    }
  }

  #kickIdle(): void {
    if (this.#kickPending) return;
    this.#kickPending = true;
    // Dispatch in an event (not re-entrantly inside a burst or another event's handler).
    this.sim.schedule(0, () => {
      this.#kickPending = false;
      for (let p = 0; p < this.#idle.length; p++) if (this.#idle[p]) this.#dispatch(p);
    });
  }

  #chargeIdle(p: number, now: number): void {
    const idleNs = now - this.#idleSince[p]!;
    if (idleNs > 0) {
      const acc = this.machine.pcpus[p]!.account.cycles;
      acc[CostCategory.Idle] = acc[CostCategory.Idle]! + idleNs * this.machine.profile.cpu.clockGhz;
    }
    this.#idleSince[p] = now;
  }

  #dispatch(p: number): void {
    const sim = this.sim;
    const now = sim.now;
    if (this.#hostPending[p]! > 0) {
      this.#runHost(p, now);
      return;
    }
    const scheduler = this.#scheduler;
    let vcpu = scheduler.pick(p, now);
    while (vcpu !== undefined && vcpu.state !== 'runnable') {
      // A stale entry of a vCPU stopped while queued: let the scheduler forget it.
      vcpu.queued = false;
      scheduler.ran(vcpu, 0, now, false);
      vcpu = scheduler.pick(p, now);
    }
    if (vcpu === undefined) {
      if (!this.#idle[p]) {
        this.#idle[p] = true;
        this.#idleSince[p] = now;
      }
      return;
    }
    if (this.#idle[p]) {
      this.#chargeIdle(p, now);
      this.#idle[p] = false;
    }
    vcpu.queued = false;
    const before = this.#before;
    before.set(vcpu.cycles);
    vcpu.state = 'running';
    vcpu.pcpu = p;
    this.#current[p] = vcpu;
    vcpu.burstStart = now;
    vcpu.burstCycles = 0;
    vcpu.wakePending = false;
    const last = this.#last[p];
    if (last !== vcpu) {
      this.cpu.worldSwitch(p, last, vcpu);
      if (last === undefined || last.domain !== vcpu.domain) vcpu.count(MechanismIndex.WorldSwitch);
    }
    vcpu.payDeferred();
    const sliceNs = scheduler.sliceNs(vcpu, now);
    const budget = Math.max(1, sliceNs * this.machine.profile.cpu.clockGhz - vcpu.burstCycles);
    const program = vcpu.program;
    const recorder = this.machine.recorder;
    const actor = recorder === undefined ? -1 : recorder.onBurstStart(p, vcpu.domain.id, vcpu.index, now);
    const exit = program === undefined ? 'halted' : program.run(vcpu, budget);
    const ranNs = Math.max(1, Math.ceil(vcpu.burstCycles * this.machine.nsPerCycle));
    if (recorder !== undefined) recorder.onBurstEnd(actor, ranNs);
    // The burst's cycles by category, credited to this pCPU when it ends; the
    // sub-nanosecond remainder of rounding the burst up to whole ns is idle.
    const pending = this.#inFlight[p]!;
    let charged = 0;
    for (let c = 0; c < COST_CATEGORY_COUNT; c++) {
      const d = vcpu.cycles[c]! - before[c]!;
      pending[c] = d;
      charged += d;
    }
    pending[CostCategory.Idle] = pending[CostCategory.Idle]! + (ranNs * this.machine.profile.cpu.clockGhz - charged);
    vcpu.runtimeNs += ranNs;
    if (this.events.schedulesObserved) {
      this.events.emitSchedule({ time: now, pcpu: p, domainId: vcpu.domain.id, vcpu: vcpu.index, durationNs: ranNs });
    }
    this.#freeAt[p] = now + ranNs;
    sim.schedule(ranNs, () => this.#finish(p, vcpu, exit, ranNs));
  }

  /** Runs the host work queued on pCPU `p`: the pCPU is busy with it, charged as hypervisor time when it ends. */
  #runHost(p: number, now: number): void {
    const cycles = this.#hostPending[p]!;
    this.#hostPending[p] = 0;
    if (this.#idle[p]) {
      this.#chargeIdle(p, now);
      this.#idle[p] = false;
    }
    const clock = this.machine.profile.cpu.clockGhz;
    const ns = Math.max(1, Math.ceil(cycles * this.machine.nsPerCycle));
    this.#freeAt[p] = now + ns;
    this.sim.schedule(ns, () => {
      const acc = this.machine.pcpus[p]!.account.cycles;
      acc[CostCategory.Hypervisor] = acc[CostCategory.Hypervisor]! + cycles;
      // The sub-nanosecond remainder of rounding up to whole ns is idle, as for a burst.
      acc[CostCategory.Idle] = acc[CostCategory.Idle]! + (ns * clock - cycles);
      this.#dispatch(p);
      if (this.#scheduler.queued > 0 && this.idlePcpus > 0) this.#kickIdle();
    });
  }

  #finish(p: number, vcpu: Vcpu, exit: string, ranNs: number): void {
    const now = this.sim.now;
    const acc = this.machine.pcpus[p]!.account.cycles;
    const pending = this.#inFlight[p]!;
    for (let c = 0; c < COST_CATEGORY_COUNT; c++) acc[c] = acc[c]! + pending[c]!;
    this.#last[p] = vcpu;
    this.#current[p] = undefined;
    vcpu.pcpu = -1;
    vcpu.lastPcpu = p;
    let runnable = exit === 'budget' || exit === 'yield' || (exit === 'blocked' && vcpu.wakePending);
    const domainState = vcpu.domain.state;
    if (domainState !== 'running') runnable = false;
    vcpu.wakePending = false;
    vcpu.state = runnable ? 'runnable' : exit === 'blocked' && domainState === 'running' ? 'blocked' : 'offline';
    vcpu.queued = runnable;
    if (this.#crossedSwap.delete(vcpu)) {
      if (runnable) this.#scheduler.wake(vcpu, now);
    } else {
      this.#scheduler.ran(vcpu, ranNs, now, runnable);
    }
    this.#dispatch(p);
    // Work may be waiting for other idle pCPUs (this burst's program may have woken vCPUs).
    if (this.#scheduler.queued > 0 && this.idlePcpus > 0) this.#kickIdle();
  }
}
