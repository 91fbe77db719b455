import { Machine, Simulator, inject, injectable, type Domain, type Vcpu, type VcpuScheduler } from '@visorkit/core';
import { XenPvOptions } from '../xen-pv-options.js';
import { CreditPriority, CreditRunQueue, type CreditQueueEntry } from './credit-run-queue.js';
import { XEN_SCHEDULER } from './xen-scheduler-constants.js';

/** A vCPU's credit state (sched_credit.c's `struct csched_vcpu`). */
interface CreditVcpu extends CreditQueueEntry {
  readonly domain: CreditDomain;
  /** On its domain's active list: it earns credit at the next accounting. */
  active: boolean;
  /** Went off the CPU blocked: its next wake may BOOST. */
  blocked: boolean;
  /** Counted among the blocked vCPUs whose wake would BOOST (and preempt). */
  mayBoost: boolean;
  /** Held off the run queues by its domain's cap (Xen's CSCHED_FLAG_VCPU_PARKED). */
  parked: boolean;
  /** Its domain was destroyed: it never queues again. */
  gone: boolean;
  /** End of the time slice it was given; a re-decision before it resumes the same slice. */
  sliceEnd: number;
  /** Was taken off the CPU at a re-decision point within its slice (not at the slice's end). */
  resuming: boolean;
  /** When it was last scheduled (the rate limit counts from here; re-decisions it survives do not reset it). */
  runStart: number;
}

/** A domain's credit state (`struct csched_dom`). */
interface CreditDomain {
  readonly domain: Domain;
  readonly vcpus: CreditVcpu[];
  /** Run time of its vCPUs in the current accounting period (the cap's budget). */
  capUsedNs: number;
  parked: boolean;
  /** Credit it is given at this accounting (scratch of `csched_acct`). */
  share: number;
  /** Still sharing in this accounting's water-filling (scratch). */
  open: boolean;
}

/**
 * Xen 3's credit scheduler (common/sched_credit.c, Emmanuel Ackaouy 2006), on one run queue
 * per pCPU:
 *
 * - **Credits.** Every 30 ms (three 10 ms ticks) `csched_acct` shares out 300 credits per
 *   pCPU among the domains with active vCPUs in proportion to their weights (default 256; a
 *   domain's weight is shared by its vCPUs, as in Xen 3.x), no domain getting more than its
 *   active vCPUs can use in a period nor more than its cap — what one cannot use goes to the
 *   others by weight. A running vCPU spends 100 credits per 10 ms it runs (debited for the
 *   time it really ran, as Xen ≥ 3.4's `burn_credits` does, rather than sampled at ticks). A
 *   vCPU above one period's credits stops earning and keeps half (it idles); one below minus a
 *   period's is held there.
 * - **Priorities.** A vCPU with credit is UNDER, one without is OVER; a vCPU waking from
 *   blocking while UNDER is BOOSTed, ahead of both, until a tick finds it running or it is
 *   debited into OVER. Each queue serves BOOST, then UNDER, then OVER.
 * - **Caps.** A capped domain (percent of one pCPU) that has run its cap's share of the
 *   current period is parked — off every run queue — until the next accounting.
 * - **Slices** are 30 ms; a slice also ends at the accounting (priorities change there) and
 *   when an UNDER vCPU's credit runs out (it turns OVER), never before the rate limit.
 * - **Preemption.** A vCPU woken BOOSTed preempts an UNDER or OVER one that has run at least
 *   the rate limit (1 ms, Xen 4.2's `sched_ratelimit_us`). The core runner does not cut a
 *   burst short, so while some blocked vCPU may wake BOOSTed the running one is re-decided
 *   once it has run the rate limit and then every 100 µs (`CSCHED_MIN_TIMER`, the shortest
 *   timer Xen sets): it resumes its slice unless a better vCPU waits, and goes to the tail of
 *   its priority when preempted. A wake is thus seen up to 100 µs late.
 * - **Load balance.** A pCPU whose best queued vCPU is OVER (or that has none) steals the
 *   first better one from its peers' queues (`csched_load_balance`), so an UNDER vCPU never
 *   waits behind another pCPU's work while this one runs an overdrawn one.
 *
 * Where this differs from Xen, for fairness the conformance kit requires: priorities follow
 * credit at each debit (Xen recomputes them at accounting), OVER vCPUs are served least
 * overdrawn first (Xen round-robins them), and a cap parks a domain as soon as it has run its
 * cap's share of the period (Xen parks at accounting once credit is a cap's worth below zero).
 *
 * @public
 */
@injectable()
export class CreditScheduler implements VcpuScheduler {
  /** 'credit'. */
  readonly name: string = 'credit';
  readonly #c = XEN_SCHEDULER.value;
  readonly #queues: CreditRunQueue[];
  readonly #domains = new Map<Domain, CreditDomain>();
  readonly #parked: CreditVcpu[] = [];
  readonly #scratch: CreditQueueEntry[] = [];
  readonly #sim: Simulator;
  /** Per pCPU, the vCPU last re-decided mid-slice there (resumes unless something better waits). */
  readonly #resuming: (CreditVcpu | undefined)[];
  /** Blocked vCPUs whose wake would BOOST them. */
  #mayBoost = 0;
  #nextAccounting: number;
  #accountingTimer = false;
  #kick: (() => void) | undefined;
  #timeSliceNs: number;
  #rateLimitNs: number;
  #boost = true;
  readonly #creditsPerNs: number;
  readonly #periodNs: number;
  readonly #creditsPerPeriod: number;

  constructor(@inject(XenPvOptions) _options: XenPvOptions, @inject(Machine) machine: Machine, @inject(Simulator) sim: Simulator) {
    const c = this.#c;
    this.#sim = sim;
    this.#queues = machine.pcpus.map((p) => new CreditRunQueue(p.index));
    this.#resuming = machine.pcpus.map(() => undefined);
    this.#periodNs = c.creditTickNs * c.creditTicksPerAccounting;
    this.#creditsPerNs = c.creditPerTick / c.creditTickNs;
    this.#creditsPerPeriod = c.creditPerTick * c.creditTicksPerAccounting;
    this.#nextAccounting = sim.now + this.#periodNs;
    this.#timeSliceNs = c.creditTimeSliceNs;
    this.#rateLimitNs = c.creditRateLimitNs;
  }

  /** Sets the time slice (Xen 4.2+'s `sched_credit_tslice_ms`), in ns. */
  setTimeSlice(ns: number): void {
    this.#timeSliceNs = ns;
  }

  /** Sets the context-switch rate limit (Xen 4.2+'s `sched_ratelimit_us`), in ns; 0 = none. */
  setRateLimit(ns: number): void {
    this.#rateLimitNs = ns;
  }

  /**
   * Turns BOOST on or off (a what-if, to see what it buys a latency-sensitive domain). Without
   * it a woken vCPU queues at its own priority and nothing re-decides the running vCPU before
   * its slice ends — so this also turns off preemption on wake, where Xen's `__runq_tickle`
   * would still let a woken UNDER vCPU preempt an OVER one.
   */
  setBoost(enabled: boolean): void {
    this.#boost = enabled;
  }

  /** Credit a vCPU holds now (100 per 10 ms of run time), e.g. for tests and traces. */
  creditOf(vcpu: Vcpu): number {
    return this.#state(vcpu).credit;
  }

  /** Its priority now: 'boost', 'under' or 'over'. */
  priorityOf(vcpu: Vcpu): 'boost' | 'under' | 'over' {
    const p = this.#state(vcpu).priority;
    return p === CreditPriority.Boost ? 'boost' : p === CreditPriority.Under ? 'under' : 'over';
  }

  /** vCPUs waiting on the run queues (parked ones are not waiting: they may not run). */
  get queued(): number {
    let n = 0;
    for (const q of this.#queues) n += q.size;
    return n;
  }

  /** Keeps the runner's kick, to get idle pCPUs going when parked vCPUs are released. */
  attachRunner(kick: () => void): void {
    this.#kick = kick;
  }

  /** The domain's vCPUs leave every run queue and the parked list, and never queue again. */
  domainDestroyed(domain: Domain): void {
    const d = this.#domains.get(domain);
    if (d === undefined) return;
    for (const s of d.vcpus) {
      s.gone = true;
      if (s.queue >= 0) {
        this.#queues[s.queue]!.remove(s);
        // Its entry is gone, so the runner must not expect one.
        s.vcpu.queued = false;
      }
      if (s.mayBoost) this.#mayBoost--;
      s.mayBoost = false;
      s.active = false;
    }
    for (let i = 0; i < this.#resuming.length; i++) if (this.#resuming[i]?.domain === d) this.#resuming[i] = undefined;
    for (let i = this.#parked.length - 1; i >= 0; i--) {
      if (this.#parked[i]!.domain === d) {
        this.#parked[i]!.vcpu.queued = false;
        this.#parked.splice(i, 1);
      }
    }
    this.#domains.delete(domain);
  }

  /** Queues a woken vCPU where it last ran (BOOSTed if it blocked while UNDER), or parks it. */
  wake(vcpu: Vcpu, now: number): void {
    this.#account(now);
    const s = this.#state(vcpu);
    if (s.gone) return;
    if (s.mayBoost) this.#mayBoost--;
    s.mayBoost = false;
    // csched_vcpu_wake: a vCPU woken from blocking with credit left is BOOSTed.
    if (this.#boost && s.blocked && s.priority === CreditPriority.Under) s.priority = CreditPriority.Boost;
    s.blocked = false;
    s.resuming = false;
    if (s.domain.parked) {
      s.parked = true;
      this.#parked.push(s);
      return;
    }
    this.#queues[this.#homeOf(vcpu)]!.insert(s);
  }

  /** The best vCPU of this pCPU's queue, or a better one stolen from a peer (csched_schedule). */
  pick(pcpu: number, now: number): Vcpu | undefined {
    this.#account(now);
    const local = this.#queues[pcpu]!;
    let next: CreditQueueEntry | undefined = local.first();
    // csched_load_balance: with nothing better than OVER here, take a better vCPU from a peer.
    if (next === undefined || next.priority === CreditPriority.Over) {
      const better = next === undefined ? 3 : next.priority;
      const n = this.#queues.length;
      for (let i = 1; i < n; i++) {
        const stolen = this.#queues[(pcpu + i) % n]!.firstBetterThan(better);
        if (stolen !== undefined) {
          next = stolen;
          break;
        }
      }
    }
    if (next === undefined) return undefined;
    this.#queues[next.queue]!.remove(next);
    // The vCPU re-decided mid-slice here was preempted: it goes to the tail of its priority.
    const resuming = this.#resuming[pcpu];
    this.#resuming[pcpu] = undefined;
    if (resuming !== undefined && resuming !== next && resuming.queue >= 0) {
      resuming.resuming = false;
      const q = this.#queues[resuming.queue]!;
      q.remove(resuming);
      q.insert(resuming);
    }
    return next.vcpu;
  }

  /** How long `vcpu` runs before it is re-decided (see the class comment). */
  sliceNs(vcpu: Vcpu, now: number): number {
    const s = this.#state(vcpu);
    if (!s.resuming) {
      s.runStart = now;
      s.sliceEnd = now + this.#timeSliceNs;
    } else if (now >= s.sliceEnd) s.sliceEnd = now + this.#timeSliceNs;
    s.resuming = false;
    const minTimer = this.#c.creditMinTimerNs;
    // Not switched out before it has run the rate limit since it was scheduled.
    const earliest = s.runStart + this.#rateLimitNs - now;
    let slice = s.sliceEnd - now;
    // Priorities change at the accounting.
    slice = Math.min(slice, this.#nextAccounting - now);
    // An UNDER vCPU turns OVER where its credit runs out.
    if (s.priority !== CreditPriority.Over) slice = Math.min(slice, Math.max(0, s.credit) / this.#creditsPerNs);
    // A capped domain stops where it has used its cap's share of the period.
    const cap = s.domain.domain.cap;
    if (cap > 0) slice = Math.min(slice, this.#capBudgetNs(cap) - s.domain.capUsedNs);
    // A blocked vCPU may wake BOOSTed and preempt this one once it has run the rate limit:
    // the runner cannot cut a burst short, so it is re-decided every shortest timer from then.
    if (this.#mayBoost > 0 && s.priority !== CreditPriority.Boost) slice = Math.min(slice, Math.max(earliest, minTimer));
    return Math.max(slice, earliest, minTimer);
  }

  /** Debits the burst, ends a BOOST a tick found running, parks a capped domain over its cap, requeues. */
  ran(vcpu: Vcpu, ranNs: number, now: number, runnable: boolean): void {
    const s = this.#state(vcpu);
    if (s.gone) return;
    const c = this.#c;
    const d = s.domain;
    if (ranNs > 0) {
      // Debited for the time it ran; a running vCPU is active (csched_vcpu_acct).
      s.credit -= ranNs * this.#creditsPerNs;
      s.active = true;
      // A tick that finds a BOOSTed vCPU running ends its BOOST.
      const tick = c.creditTickNs;
      if (s.priority === CreditPriority.Boost && Math.floor((now - ranNs) / tick) !== Math.floor(now / tick)) s.priority = CreditPriority.Under;
      // Out of credit (within a nanosecond's worth: slices end where credit runs out): OVER.
      if (s.credit <= this.#creditsPerNs) s.priority = CreditPriority.Over;
      if (d.domain.cap > 0) {
        d.capUsedNs += ranNs;
        if (d.capUsedNs >= this.#capBudgetNs(d.domain.cap) - 1) this.#park(d, now);
      }
    }
    this.#account(now);
    if (!runnable) {
      s.resuming = false;
      s.blocked = vcpu.state === 'blocked';
      if (s.blocked && this.#boost && s.priority !== CreditPriority.Over) {
        s.mayBoost = true;
        this.#mayBoost++;
      }
      return;
    }
    if (d.parked || s.parked) {
      if (!s.parked) {
        s.parked = true;
        this.#parked.push(s);
      }
      return;
    }
    // Re-decided before its slice ended: it resumes first in its priority unless preempted.
    const resuming = ranNs > 0 && now < s.sliceEnd;
    s.resuming = resuming;
    const p = vcpu.lastPcpu >= 0 ? vcpu.lastPcpu : this.#homeOf(vcpu);
    this.#queues[p]!.insert(s, resuming);
    if (resuming) this.#resuming[p] = s;
  }

  /** The pCPU whose queue a vCPU joins: where it last ran, else the shortest queue. */
  #homeOf(vcpu: Vcpu): number {
    if (vcpu.lastPcpu >= 0) return vcpu.lastPcpu;
    let best = 0;
    for (let p = 1; p < this.#queues.length; p++) if (this.#queues[p]!.size < this.#queues[best]!.size) best = p;
    return best;
  }

  #capBudgetNs(cap: number): number {
    return (this.#periodNs * cap) / 100;
  }

  /** Parks a capped domain's vCPUs until the next accounting. */
  #park(d: CreditDomain, now: number): void {
    if (d.parked) return;
    d.parked = true;
    for (const s of d.vcpus) {
      if (s.queue < 0) continue;
      this.#queues[s.queue]!.remove(s);
      s.parked = true;
      this.#parked.push(s);
    }
    this.#armAccountingTimer(now);
  }

  /** Nothing else may call the scheduler while only parked vCPUs are left: a timer unparks them. */
  #armAccountingTimer(now: number): void {
    if (this.#accountingTimer) return;
    this.#accountingTimer = true;
    this.#sim.schedule(Math.max(0, this.#nextAccounting - now), () => {
      this.#accountingTimer = false;
      this.#account(this.#sim.now);
    });
  }

  /** csched_acct, for every period that ended by `now`. */
  #account(now: number): void {
    while (now >= this.#nextAccounting) {
      this.#nextAccounting += this.#periodNs;
      this.#shareCredits();
      this.#requeue();
      this.#unpark();
    }
  }

  /**
   * Shares the period's credits among domains with active vCPUs by weight, none getting more
   * than its active vCPUs can spend in a period or its cap allows (what it cannot use goes to
   * the others by weight: weighted max-min), then gives each active vCPU its domain's share.
   */
  #shareCredits(): void {
    const perPeriod = this.#creditsPerPeriod;
    let left = perPeriod * this.#queues.length;
    let openWeight = 0;
    for (const d of this.#domains.values()) {
      d.capUsedNs = 0;
      d.share = 0;
      d.open = this.#activeCount(d) > 0;
      if (d.open) openWeight += this.#weightOf(d);
    }
    // Water-filling: a domain whose weight share exceeds its peak gets its peak; the rest share again.
    while (openWeight > 0 && left > 0) {
      const total = openWeight;
      let filled = false;
      for (const d of this.#domains.values()) {
        if (!d.open) continue;
        const peak = this.#peakOf(d);
        if ((left * this.#weightOf(d)) / total >= peak) {
          d.share = peak;
          d.open = false;
          left -= peak;
          openWeight -= this.#weightOf(d);
          filled = true;
        }
      }
      if (!filled) {
        for (const d of this.#domains.values()) if (d.open) d.share = (left * this.#weightOf(d)) / total;
        break;
      }
    }
    for (const d of this.#domains.values()) {
      const share = d.share;
      const active = this.#activeCount(d);
      if (active === 0) continue;
      for (const s of d.vcpus) {
        if (!s.active) continue;
        s.credit += share / active;
        if (s.credit < -perPeriod) s.credit = -perPeriod;
        if (s.credit > perPeriod) {
          // Stops earning until it runs again, half its credit kept.
          s.active = false;
          s.credit /= 2;
        }
      }
    }
    // Every vCPU's priority follows its credit (a BOOST ends here too).
    this.#mayBoost = 0;
    for (const d of this.#domains.values()) {
      for (const s of d.vcpus) {
        s.priority = s.credit > 0 ? CreditPriority.Under : CreditPriority.Over;
        s.mayBoost = s.blocked && this.#boost && s.priority !== CreditPriority.Over;
        if (s.mayBoost) this.#mayBoost++;
      }
    }
  }

  #activeCount(d: CreditDomain): number {
    let n = 0;
    for (const s of d.vcpus) if (s.active) n++;
    return n;
  }

  #weightOf(d: CreditDomain): number {
    const w = d.domain.weight;
    return w > 0 ? w : this.#c.creditDefaultWeight;
  }

  /** Most credit a domain can use in one period: its active vCPUs running throughout, or its cap. */
  #peakOf(d: CreditDomain): number {
    const peak = this.#activeCount(d) * this.#creditsPerPeriod;
    const cap = d.domain.cap;
    return cap > 0 ? Math.min(peak, (cap * this.#creditsPerPeriod) / 100) : peak;
  }

  /** Queued vCPUs move to their new priorities, keeping their order (csched_runq_sort). */
  #requeue(): void {
    const all = this.#scratch;
    for (const q of this.#queues) {
      all.length = 0;
      q.drainInto(all);
      const resuming = this.#resuming[q.pcpu];
      for (const e of all) q.insert(e, e === resuming);
    }
    all.length = 0;
  }

  #unpark(): void {
    for (const d of this.#domains.values()) d.parked = false;
    if (this.#parked.length === 0) return;
    // Stale entries (a vCPU stopped while parked) go back too: the runner discards them.
    for (const s of this.#parked) {
      s.parked = false;
      this.#queues[this.#homeOf(s.vcpu)]!.insert(s);
    }
    this.#parked.length = 0;
    this.#kick?.();
  }

  #state(vcpu: Vcpu): CreditVcpu {
    // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- schedulerData is the composed scheduler's own slot, and only this class writes it
    let s = vcpu.schedulerData as CreditVcpu | undefined;
    if (s === undefined) {
      let d = this.#domains.get(vcpu.domain);
      if (d === undefined) {
        d = { domain: vcpu.domain, vcpus: [], capUsedNs: 0, parked: false, share: 0, open: false };
        this.#domains.set(vcpu.domain, d);
      }
      s = {
        vcpu,
        domain: d,
        priority: CreditPriority.Under,
        credit: 0,
        queue: -1,
        queuedAs: CreditPriority.Under,
        prev: undefined,
        next: undefined,
        active: false,
        blocked: false,
        mayBoost: false,
        parked: false,
        gone: vcpu.domain.state === 'destroyed',
        sliceEnd: 0,
        resuming: false,
        runStart: 0,
      };
      vcpu.schedulerData = s;
      d.vcpus.push(s);
    }
    return s;
  }
}
