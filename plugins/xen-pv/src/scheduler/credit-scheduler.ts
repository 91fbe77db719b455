import { Machine, RunQueue, Simulator, inject, injectable, type Domain, type Vcpu, type VcpuScheduler } from '@visorkit/core';
import { XenPvOptions } from '../xen-pv-options.js';
import { XEN_SCHEDULER } from './xen-scheduler-constants.js';

/** Credit priorities, in the order the run queue serves them (sched_credit.c's CSCHED_PRI_TS_*). */
const Priority = { Boost: 0, Under: 1, Over: 2 } as const;
type Priority = (typeof Priority)[keyof typeof Priority];

interface CreditState {
  credit: number;
  priority: Priority;
  /** Ran or was runnable since the last accounting: takes part in the next one. */
  active: boolean;
  runnable: boolean;
  /** Arrival order on the queue (first come first served within a priority). */
  sequence: number;
  /** Woken before: a later wake is from blocking (a first start is not boosted). */
  started: boolean;
}

/**
 * Xen 3's credit scheduler (common/sched_credit.c): every 30 ms (three 10 ms ticks) the
 * machine's credits — 100 per tick per pCPU — are shared among active domains in proportion
 * to their weights (default 256), split among each domain's vCPUs, and limited by a
 * domain's cap; running vCPUs are debited 100 credits per 10 ms tick. A vCPU with credit
 * left is UNDER, one without is OVER; a vCPU waking from blocking while UNDER is BOOSTed
 * ahead of both until it is next debited. The queue serves BOOST, then UNDER, then OVER,
 * first come first served within each. A capped domain that has spent its cap is parked
 * until the next accounting. Slices are 30 ms, re-decided at each accounting and when an
 * UNDER vCPU's credit runs out (where a tick would find it OVER).
 *
 * The core runner does not preempt a burst, and Xen preempts a running vCPU for a BOOSTed
 * one no sooner than the rate limit (1 ms) allows; so while some vCPU is blocked (and may
 * wake BOOSTed), the running one is re-decided every rate-limit period.
 */
@injectable()
export class CreditScheduler implements VcpuScheduler {
  readonly name: string = 'credit';
  readonly #queue = new RunQueue();
  readonly #c = XEN_SCHEDULER.value;
  readonly #pcpus: number;
  readonly #vcpus = new Set<Vcpu>();
  readonly #parked: Vcpu[] = [];
  #sequence = 0;
  #nextAccounting: number;
  #kick: (() => void) | undefined;

  readonly #sim: Simulator;
  #accountingTimer = false;

  constructor(@inject(XenPvOptions) _options: XenPvOptions, @inject(Machine) machine: Machine, @inject(Simulator) sim: Simulator) {
    this.#pcpus = machine.pcpus.length;
    this.#sim = sim;
    this.#nextAccounting = this.#c.creditTickNs * this.#c.creditTicksPerAccounting;
  }

  #timeSliceNs = XEN_SCHEDULER.value.creditTimeSliceNs;

  /** Sets the time slice (Xen 4.2+'s `sched_credit_tslice_ms`). */
  setTimeSlice(ns: number): void {
    this.#timeSliceNs = ns;
  }

  get queued(): number {
    return this.#queue.size;
  }

  attachRunner(kick: () => void): void {
    this.#kick = kick;
  }

  domainDestroyed(domain: Domain): void {
    for (const v of domain.vcpus) this.#vcpus.delete(v);
  }

  wake(vcpu: Vcpu, now: number): void {
    this.#account(now);
    const s = this.#state(vcpu);
    s.active = true;
    s.runnable = true;
    // Waking from blocking with credit left: BOOST (csched_vcpu_wake).
    if (s.started && s.priority === Priority.Under && vcpu.state !== 'running') s.priority = Priority.Boost;
    s.started = true;
    this.#enqueue(vcpu, s);
  }

  pick(_pcpu: number, now: number): Vcpu | undefined {
    this.#account(now);
    for (;;) {
      const v = this.#queue.pop();
      if (v === undefined) return undefined;
      const s = this.#state(v);
      if (v.domain.cap > 0 && s.credit <= 0 && v.state === 'runnable') {
        // Over its cap: parked until the next accounting gives it credit (a timer, since
        // nothing else may run to call the scheduler meanwhile).
        this.#parked.push(v);
        this.#armAccountingTimer(now);
        continue;
      }
      return v;
    }
  }

  sliceNs(vcpu: Vcpu, now: number): number {
    const c = this.#c;
    let slice = this.#timeSliceNs;
    // Stop at the accounting, where priorities change (never below the rate limit).
    slice = Math.min(slice, Math.max(c.creditRateLimitNs, this.#nextAccounting - now));
    const st = this.#state(vcpu);
    // An UNDER vCPU is re-decided when its credit runs out, where it would turn OVER.
    if (st.priority !== Priority.Over) slice = Math.min(slice, Math.max(c.creditRateLimitNs, (Math.max(0, st.credit) / c.creditPerTick) * c.creditTickNs));
    if (st.priority !== Priority.Boost && this.#someoneMayWake()) slice = Math.min(slice, c.creditRateLimitNs);
    return slice;
  }

  ran(vcpu: Vcpu, ranNs: number, now: number, runnable: boolean): void {
    const c = this.#c;
    const s = this.#state(vcpu);
    s.credit -= (ranNs / c.creditTickNs) * c.creditPerTick;
    s.active = true;
    // Debited: a BOOSTed vCPU goes back to UNDER (or OVER once its credit is spent).
    s.priority = s.credit > 0 ? Priority.Under : Priority.Over;
    s.runnable = runnable;
    this.#account(now);
    if (runnable) this.#enqueue(vcpu, s);
  }

  #enqueue(vcpu: Vcpu, s: CreditState): void {
    // First come first served within a priority.
    s.sequence = this.#sequence++;
    this.#queue.push(vcpu, s.priority * 1e15 + s.sequence);
  }

  #armAccountingTimer(now: number): void {
    if (this.#accountingTimer) return;
    this.#accountingTimer = true;
    this.#sim.schedule(Math.max(0, this.#nextAccounting - now), () => {
      this.#accountingTimer = false;
      this.#account(this.#sim.now);
    });
  }

  /** A blocked vCPU with credit might wake BOOSTed and preempt. */
  #someoneMayWake(): boolean {
    for (const v of this.#vcpus) if (v.state === 'blocked' && this.#state(v).credit > 0) return true;
    return false;
  }

  /** csched_acct: share the period's credits among active domains by weight, capped. */
  #account(now: number): void {
    const c = this.#c;
    const period = c.creditTickNs * c.creditTicksPerAccounting;
    while (now >= this.#nextAccounting) {
      this.#nextAccounting += period;
      const domains = new Map<Domain, Vcpu[]>();
      for (const v of this.#vcpus) {
        const s = this.#state(v);
        if (!s.active && !s.runnable) continue;
        const list = domains.get(v.domain) ?? [];
        list.push(v);
        domains.set(v.domain, list);
      }
      let totalWeight = 0;
      for (const d of domains.keys()) totalWeight += Math.max(1, d.weight);
      const credits = c.creditPerTick * c.creditTicksPerAccounting * this.#pcpus;
      const perVcpuMax = c.creditPerTick * c.creditTicksPerAccounting;
      for (const [d, vcpus] of domains) {
        let share = (credits * Math.max(1, d.weight)) / Math.max(1, totalWeight);
        if (d.cap > 0) share = Math.min(share, (perVcpuMax * d.cap) / 100);
        for (const v of vcpus) {
          const s = this.#state(v);
          s.credit = Math.min(perVcpuMax, s.credit + share / vcpus.length);
          if (s.priority !== Priority.Boost) s.priority = s.credit > 0 ? Priority.Under : Priority.Over;
          s.active = s.runnable;
        }
      }
      // Queued vCPUs move to their new priority, keeping their order of arrival.
      const queued = [...this.#queue.entries()].map(([v]) => v);
      while (this.#queue.pop() !== undefined);
      for (const v of queued) {
        const s = this.#state(v);
        this.#queue.push(v, s.priority * 1e15 + s.sequence);
      }
      // Parked vCPUs with credit again go back on the queue.
      if (this.#parked.length > 0) {
        const parked = this.#parked.splice(0);
        for (const v of parked) if (v.state === 'runnable') this.#enqueue(v, this.#state(v));
        this.#kick?.();
      }
    }
  }

  #state(vcpu: Vcpu): CreditState {
    let s = vcpu.schedulerData as CreditState | undefined;
    if (s === undefined) {
      s = { credit: 0, priority: Priority.Under, active: true, runnable: false, sequence: 0, started: false };
      vcpu.schedulerData = s;
      this.#vcpus.add(vcpu);
    }
    return s;
  }
}
