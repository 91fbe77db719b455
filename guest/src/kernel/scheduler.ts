import { CheckpointRefusedError, CostCategory, lastLevelCache, type BurstExit, type Gfn, type Vcpu } from '@visorkit/core';
import type { BlockReason, Process } from '../process/process.js';
import { badOperationReason, exceptionReason } from '../process/process-crash.js';
import type { Operation, SyscallName } from '../program/program.js';
import type { GuestKernelOptions } from './guest-kernel-options.js';
import type { Kernel } from './kernel.js';
import type { KernelPart } from './kernel-part.js';
import { cacheOwner } from './memory.js';
import { PATH } from './path-lengths.js';

/** The arguments of a call whose program gave none. */
const NO_ARGS: readonly unknown[] = Object.freeze([]);

/** The scheduler's state in a checkpoint: processes by pid (-1: none). */
export interface SavedScheduler {
  readonly runQueue: readonly number[];
  /** Per vCPU: the process on it, the last one that ran there, when its last burst ended. */
  readonly current: readonly number[];
  readonly lastOnVcpu: readonly number[];
  readonly lastBurstEnd: readonly number[];
  readonly wokenIdle: readonly number[];
  /** Sleepers whose timer fired, waiting for the softirq to wake them. */
  readonly softirqWakeups: readonly number[];
}

/**
 * Processes and their scheduling glue: the run queue, what each vCPU runs, the burst loop
 * that steps programs, blocking and waking, and the softirq queue where work that arrived
 * off-CPU (network frames, disk completions, expired timers) waits for the next burst.
 */
export class Scheduler implements KernelPart<SavedScheduler> {
  readonly runQueue: Process[] = [];
  readonly current: (Process | undefined)[];
  readonly lastOnVcpu: (Process | undefined)[];
  /** Per vCPU: simulated time its last burst ended (to notice other domains ran meanwhile). */
  readonly lastBurstEnd: number[];
  /** Sibling vCPUs woken from idle for queued work, until they run. */
  readonly wokenIdle = new Set<Vcpu>();
  /**
   * Work that arrived off-CPU, run on the next vCPU burst (softirq): network frames and
   * timers as closures, expired sleeps as the process to wake (plain data, so a checkpoint
   * can hold it).
   */
  readonly softirq: ((() => void) | Process)[] = [];
  readonly #timeSliceNs: number;

  constructor(
    readonly k: Kernel,
    options: GuestKernelOptions,
  ) {
    const vcpus = k.domain.vcpus;
    this.current = vcpus.map(() => undefined);
    this.lastOnVcpu = vcpus.map(() => undefined);
    this.lastBurstEnd = vcpus.map(() => -1);
    this.#timeSliceNs = (options.timeSliceMs ?? 10) * 1e6;
  }

  /** Its queues as pids; refused (for now) while network or disk completions wait for the softirq. */
  save(): SavedScheduler {
    if (this.softirq.some((w) => typeof w === 'function')) {
      throw new CheckpointRefusedError(
        this.k.domain.name,
        'network or disk completions are queued for its softirq; let it run until they are handled, then pause it again',
        true,
      );
    }
    const pid = (p: Process | undefined): number => p?.pid ?? -1;
    return {
      runQueue: this.runQueue.map(pid),
      current: this.current.map(pid),
      lastOnVcpu: this.lastOnVcpu.map(pid),
      lastBurstEnd: [...this.lastBurstEnd],
      wokenIdle: [...this.wokenIdle].map((v) => v.index),
      softirqWakeups: this.softirq.map((w) => pid(w as Process)),
    };
  }

  /** Takes on saved queues (the processes are loaded already) and arms sleepers' timers again at their deadlines. */
  load(saved: SavedScheduler): void {
    const k = this.k;
    const at = (pid: number): Process | undefined => (pid < 0 ? undefined : k.processes.get(pid));
    this.runQueue.push(...saved.runQueue.map((pid) => at(pid)!));
    saved.current.forEach((pid, i) => (this.current[i] = at(pid)));
    saved.lastOnVcpu.forEach((pid, i) => (this.lastOnVcpu[i] = at(pid)));
    saved.lastBurstEnd.forEach((t, i) => (this.lastBurstEnd[i] = t));
    for (const i of saved.wokenIdle) this.wokenIdle.add(k.domain.vcpus[i]!);
    for (const pid of saved.softirqWakeups) this.softirq.push(at(pid)!);
    for (const p of k.processes.values()) {
      if (p.state === 'blocked' && p.blockedOn === 'sleep' && p.wakeAt >= 0) this.armSleep(p, Math.max(0, p.wakeAt - k.hv.now));
    }
  }

  /** After a live migration: processes that were on a CPU go back to the run queue. */
  migrated(): void {
    for (let i = 0; i < this.current.length; i++) {
      const p = this.current[i];
      if (p !== undefined && p.state === 'running') {
        p.state = 'runnable';
        this.runQueue.unshift(p);
      }
      this.current[i] = undefined;
      this.lastOnVcpu[i] = undefined;
      this.lastBurstEnd[i] = -1;
    }
  }

  /** One burst of the kernel on `vcpu` (the vCPU program's `run`). */
  run(vcpu: Vcpu, budget: number): BurstExit {
    const i = vcpu.index;
    this.wokenIdle.delete(vcpu);
    // If this vCPU was off the CPU while time passed, other work ran there and evicted the
    // process's lines from the caches.
    // That holds for the process it ran last too, when the vCPU blocked and woke much later
    // (a sleeping server in a domain of its own).
    if (this.lastBurstEnd[i]! >= 0 && vcpu.burstStart > this.lastBurstEnd[i]! + 1) {
      const resumed = this.current[i] ?? this.lastOnVcpu[i];
      if (resumed !== undefined) {
        resumed.warmPages.clear();
        resumed.evicted = true;
      }
    }
    const exit = this.#runBurst(vcpu, budget);
    this.lastBurstEnd[i] = vcpu.burstStart + Math.ceil(vcpu.burstCycles * vcpu.nsPerCycle);
    return exit;
  }

  #runBurst(vcpu: Vcpu, budget: number): BurstExit {
    const i = vcpu.index;
    this.k.cpu = vcpu;
    this.k.sockets.announceIfMigrated(vcpu);
    while (vcpu.burstCycles < budget) {
      if (this.softirq.length > 0) this.#runSoftirq();
      let p = this.current[i];
      if (p === undefined || p.state !== 'running') {
        // A sibling vCPU was woken for queued work: end this burst here so it can take some
        // of it in parallel (an SMP kernel's other CPUs pull from the run queue meanwhile).
        if (vcpu.burstCycles > 0 && this.runQueue.length > 0 && this.#siblingWaiting(vcpu)) return 'yield';
        p = this.#pickNext();
        if (p === undefined) {
          this.current[i] = undefined;
          return 'blocked';
        }
        this.#switchTo(vcpu, p);
      }
      const before = vcpu.now();
      // While a pre-copy round watches for fast writers, the write faults this run takes are p's.
      const stunning = this.k.stunning;
      const watched = stunning.active;
      if (watched) stunning.begin();
      this.#step(vcpu, p, budget);
      if (watched) stunning.check(vcpu, p);
      if (p.state === 'running') {
        p.sliceUsedNs += vcpu.now() - before;
        if (p.sliceUsedNs >= this.#timeSliceNs && this.runQueue.length > 0) {
          p.state = 'runnable';
          this.runQueue.push(p);
          this.current[i] = undefined;
        }
      } else {
        this.current[i] = undefined;
      }
      if (this.k.panicked !== undefined) return 'halted';
    }
    return 'budget';
  }

  /** Queues work that arrived off-CPU and makes sure a vCPU will run it. */
  raiseSoftirq(work: (() => void) | Process): void {
    this.softirq.push(work);
    const domain = this.k.domain;
    if (domain.state !== 'running') return;
    const v = domain.vcpus[0]!;
    if (v.state !== 'runnable') this.k.hv.runner.wake(v);
  }

  #runSoftirq(): void {
    // Swap out the queue first: the work may queue more (a timer re-armed).
    const work = this.softirq.splice(0);
    for (const w of work) {
      if (typeof w === 'function') w();
      else if (w.state === 'blocked' && w.blockedOn === 'sleep' && w.wakeAt < 0) this.makeRunnable(w);
    }
  }

  /** The nanosleep timer: on expiry the sleeper is queued for the softirq, unless woken since. */
  armSleep(p: Process, ns: number): void {
    const at = p.wakeAt;
    this.k.hv.sim.schedule(ns, () => {
      if (p.wakeAt !== at) return;
      p.wakeAt = -1;
      this.raiseSoftirq(p);
    });
  }

  /** When `p` next runs, `op` (the system call it sleeps in) is issued again. */
  restartLater(p: Process, op: { kind: 'syscall'; call: SyscallName; args: readonly unknown[]; restart: true }): void {
    p.restart = { op, depth: p.stack.length };
  }

  /** A sibling vCPU was woken from idle for queued work and has not started yet. */
  #siblingWaiting(vcpu: Vcpu): boolean {
    for (const v of this.wokenIdle) if (v !== vcpu && v.state === 'runnable') return true;
    return false;
  }

  #pickNext(): Process | undefined {
    const p = this.runQueue.shift();
    if (p !== undefined) p.state = 'running';
    return p;
  }

  /** A context switch: the scheduler, then the address-space switch through the CPU model. */
  #switchTo(vcpu: Vcpu, p: Process): void {
    const i = vcpu.index;
    this.current[i] = p;
    p.sliceUsedNs = 0;
    const last = this.lastOnVcpu[i];
    if (last === p) return;
    const hv = this.k.hv;
    this.k.charge(vcpu, 'schedule');
    vcpu.charge(CostCategory.GuestKernel, hv.profile.costs.registerSwitch);
    hv.cpu.privileged(vcpu, 'switch-kernel-stack');
    if (last === undefined || last.space !== p.space) hv.cpu.switchAddressSpace(vcpu, p.space.root as Gfn, p.space.id);
    this.#touchKernelData(vcpu);
    p.warmPages.clear();
    p.evicted = false;
    this.lastOnVcpu[i] = p;
  }

  /**
   * The switch path's own data (task structs, kernel stacks, run queue, pipe buffers) takes
   * its place in the last-level cache; what others evicted of it comes back from memory.
   */
  #touchKernelData(vcpu: Vcpu): void {
    const hv = this.k.hv;
    const llc = lastLevelCache(hv.machine, vcpu.pcpu >= 0 ? vcpu.pcpu : vcpu.lastPcpu);
    llc.touch(cacheOwner(this.k.domain.id, 0), PATH.switchKernelBytes);
    const line = hv.profile.cache.lineBytes;
    const missed = llc.missesAt(0);
    if (missed > 0) vcpu.charge(CostCategory.GuestKernel, ((missed * line) / (hv.profile.memory.bandwidthGBps * 1e9)) * 1e9 * hv.profile.cpu.clockGhz);
  }

  /** `p` can run: onto the run queue, waking an idle vCPU for it. */
  makeRunnable(p: Process): void {
    if (p.state === 'zombie') return;
    p.state = 'runnable';
    p.blockedOn = undefined;
    p.wakeAt = -1;
    this.runQueue.push(p);
    const domain = this.k.domain;
    if (domain.state !== 'running') return;
    for (const v of domain.vcpus) {
      if (v.state === 'blocked' || v.state === 'offline') {
        this.k.hv.runner.wake(v);
        if (domain.vcpus.length > 1) this.wokenIdle.add(v);
        return;
      }
    }
    // Every vCPU is on a CPU; one may be ending its burst idle (a process spawned from
    // outside between bursts): make sure it looks at the run queue again.
    for (const v of domain.vcpus) {
      if (v.state === 'running') {
        this.k.hv.runner.wake(v);
        return;
      }
    }
  }

  /** `p` sleeps for `reason` until something wakes it. */
  block(p: Process, reason: BlockReason): void {
    p.state = 'blocked';
    p.blockedOn = reason;
  }

  /** Wakes every blocked process of `pids` (emptying the list). */
  wakeAll(vcpu: Vcpu, pids: number[]): void {
    while (pids.length > 0) {
      const q = this.k.processes.get(pids.shift()!);
      if (q !== undefined && q.state === 'blocked') {
        this.k.charge(vcpu, 'wakeUp');
        this.makeRunnable(q);
      }
    }
  }

  /** The yield system call: to the back of the run queue, if anyone else is waiting. */
  yield(vcpu: Vcpu, p: Process): number {
    this.k.charge(vcpu, 'schedule');
    if (this.runQueue.length > 0) {
      p.state = 'runnable';
      this.runQueue.push(p);
    }
    return 0;
  }

  /** `p` exited: no vCPU remembers it as the last one it ran. */
  forget(p: Process): void {
    for (let i = 0; i < this.lastOnVcpu.length; i++) if (this.lastOnVcpu[i] === p) this.lastOnVcpu[i] = undefined;
  }

  /** Runs `p` until the budget is spent, or it blocks or exits. */
  #step(vcpu: Vcpu, p: Process, budget: number): void {
    const k = this.k;
    while (vcpu.burstCycles < budget && p.state === 'running') {
      if (p.computeLeft > 0) {
        const take = Math.min(p.computeLeft, budget - vcpu.burstCycles);
        vcpu.charge(CostCategory.GuestUser, take);
        p.computeLeft -= take;
        continue;
      }
      if (p.touch !== undefined) {
        k.memory.continueTouch(vcpu, p, budget);
        continue;
      }
      if (p.queuedTouches.length > 0) {
        p.touch = p.queuedTouches.shift();
        continue;
      }
      if (p.pendingSignals.length > 0 && p.stack.length === 1) {
        k.signals.deliver(vcpu, p, p.pendingSignals.shift()!);
        continue;
      }
      const restart = p.restart;
      if (restart !== undefined && restart.depth === p.stack.length) {
        // A system call that slept is issued again, inside the kernel (no second entry).
        p.restart = undefined;
        k.syscalls.dispatch(vcpu, p, restart.op.call, restart.op.args, true);
        continue;
      }
      const gen = p.stack[p.stack.length - 1]!;
      k.replay?.resultDelivered(p, p.result);
      let step: IteratorResult<Operation, number | void>;
      try {
        step = gen.next(p.result);
      } catch (e) {
        // A program bug kills the process, not the domain — visibly: a crash, with its reason.
        k.processTable.crash(vcpu, p, exceptionReason(e));
        return;
      }
      p.result = undefined;
      if (step.done === true) {
        if (p.stack.length > 1) {
          // A signal handler returned: sigreturn back into the interrupted program.
          p.stack.pop();
          k.replay?.handlerReturned(p);
          k.hv.cpu.systemCall(vcpu);
          k.charge(vcpu, 'sigreturn');
          continue;
        }
        k.processTable.exit(vcpu, p, typeof step.value === 'number' ? step.value : 0);
        return;
      }
      const op = step.value as Operation | null | undefined;
      const kind = typeof op === 'object' && op !== null ? op.kind : undefined;
      if (kind === 'compute') p.computeLeft = Math.max(0, (op as Extract<Operation, { kind: 'compute' }>).cycles);
      else if (kind === 'touch') {
        const t = op as Extract<Operation, { kind: 'touch' }>;
        k.memory.startTouch(vcpu, p, t.address, t.bytes, t.write, t.stride);
      } else if (kind === 'syscall') {
        const c = op as Extract<Operation, { kind: 'syscall' }>;
        // A program's arguments that are not a list are no arguments (each call checks its own).
        k.syscalls.dispatch(vcpu, p, c.call, Array.isArray(c.args) ? c.args : NO_ARGS, c.restart === true);
      } else {
        // Not an operation: as an invalid instruction ends a process, this ends the program.
        k.processTable.crash(vcpu, p, badOperationReason(op));
        return;
      }
    }
  }
}
