import { RunQueue, inject, injectable, type Domain, type Vcpu, type VcpuScheduler } from '@visorkit/core';
import { XenPvOptions } from '../xen-pv-options.js';
import { warpMsOf } from './bvt-domain.js';
import { XEN_SCHEDULER } from './xen-scheduler-constants.js';

interface BvtState {
  /** Actual virtual time. */
  avt: number;
  /** Effective virtual time: the actual less the warp while warping. */
  evt: number;
  warping: boolean;
  /** Run time spent warped since the warp began (the warp limit bounds it). */
  warpedRunNs: number;
  unwarpedSince: number;
  runnable: boolean;
}

/**
 * Borrowed virtual time (Duda & Cheriton, SOSP 1999) as Xen 1.x and 2.0 ran it
 * (common/sched_bvt.c): each domain's actual virtual time (AVT) advances by its run time,
 * charged in whole minimum charging units (MCU, 100 µs), times its `mcu_advance` (inversely
 * its weight); the domain with the smallest effective virtual time (EVT) runs, and keeps the
 * CPU until its EVT passes the next one's by the context-switch allowance (5 ms). A
 * latency-sensitive domain (`warpMs` > 0 in its `BvtDomain` parameters) warps on waking — its EVT drops by the warp — for
 * at most the warp limit of run time, and may warp again only after the unwarp requirement. A woken
 * domain's AVT is brought up to the system virtual time, so sleeping earns no credit.
 *
 * The core runner does not preempt a burst; while a domain that may warp is asleep, the
 * running one is re-decided every MCU, which stands for BVT's preemption on wake-up.
 *
 * @public
 */
@injectable()
export class BvtScheduler implements VcpuScheduler {
  readonly name: string = 'bvt';
  readonly #queue = new RunQueue();
  readonly #c = XEN_SCHEDULER.value;
  /** System virtual time: the smallest AVT of a runnable domain seen last. */
  #svt = 0;
  readonly #vcpus = new Set<Vcpu>();

  constructor(@inject(XenPvOptions) _options: XenPvOptions) {}

  #allowanceNs = XEN_SCHEDULER.value.bvtContextSwitchAllowanceNs;

  /** Sets the context-switch allowance, BVT's time slice (`xm sched-bvt-ctxallow`). */
  setTimeSlice(ns: number): void {
    this.#allowanceNs = ns;
  }

  get queued(): number {
    return this.#queue.size;
  }

  wake(vcpu: Vcpu, now: number): void {
    const s = this.#state(vcpu);
    s.avt = Math.max(s.avt, this.#svt);
    const d = vcpu.domain;
    if (warpMsOf(d) > 0 && !s.warping && now - s.unwarpedSince >= this.#c.bvtUnwarpRequirementNs) {
      s.warping = true;
      s.warpedRunNs = 0;
    }
    s.evt = s.warping ? s.avt - this.#warp(d) : s.avt;
    s.runnable = true;
    this.#queue.push(vcpu, s.evt);
  }

  pick(): Vcpu | undefined {
    const v = this.#queue.pop();
    if (v !== undefined) this.#svt = Math.max(this.#svt, Math.min(this.#state(v).avt, this.#queue.size > 0 ? this.#minQueuedAvt() : Infinity));
    return v;
  }

  sliceNs(vcpu: Vcpu): number {
    const c = this.#c;
    // BVT preempts for a warping domain as it wakes; without preemption in the runner, the
    // running domain is re-decided every MCU while a domain that may warp sleeps.
    if (this.#mayWarpSoon(vcpu)) return c.bvtMcuNs;
    if (this.#queue.size === 0) return this.#allowanceNs;
    const s = this.#state(vcpu);
    // Run until this EVT passes the next one's by the allowance (in virtual time).
    const allowanceVt = (this.#allowanceNs / c.bvtMcuNs) * c.bvtDefaultMcuAdvance;
    const headroomVt = this.#queue.minKey + allowanceVt - s.evt;
    const ns = (headroomVt / this.#advance(vcpu.domain)) * c.bvtMcuNs;
    return Math.max(c.bvtMcuNs, Math.ceil(ns / c.bvtMcuNs) * c.bvtMcuNs);
  }

  ran(vcpu: Vcpu, ranNs: number, now: number, runnable: boolean): void {
    const c = this.#c;
    const s = this.#state(vcpu);
    // Charged in whole MCUs (a burst shorter than one still costs one).
    s.avt += Math.ceil(ranNs / c.bvtMcuNs) * this.#advance(vcpu.domain);
    if (s.warping) s.warpedRunNs += ranNs;
    if (s.warping && s.warpedRunNs >= c.bvtWarpLimitNs) {
      s.warping = false;
      s.unwarpedSince = now;
    }
    s.evt = s.warping ? s.avt - this.#warp(vcpu.domain) : s.avt;
    s.runnable = runnable;
    if (runnable) this.#queue.push(vcpu, s.evt);
  }

  /** Virtual time a domain advances per MCU: Xen's default `mcu_advance` scaled by 256 / weight. */
  #advance(d: Domain): number {
    // A domain's weight is shared by its vCPUs: each advances as fast as the weight allows the domain.
    return (this.#c.bvtDefaultMcuAdvance * 256 * d.vcpus.length) / Math.max(1, d.weight);
  }

  /** The domain's warp in virtual time: `warpMs` of run time at the default advance. */
  #warp(d: Domain): number {
    return ((warpMsOf(d) * 1e6) / this.#c.bvtMcuNs) * this.#c.bvtDefaultMcuAdvance;
  }

  #mayWarpSoon(running: Vcpu): boolean {
    for (const v of this.#vcpus) if (v !== running && v.state === 'blocked' && warpMsOf(v.domain) > 0) return true;
    return false;
  }

  domainDestroyed(domain: Domain): void {
    for (const v of domain.vcpus) this.#vcpus.delete(v);
    // Its queued vCPUs leave the queue with it.
    const keep = [...this.#queue.entries()].filter(([v]) => v.domain !== domain);
    while (this.#queue.pop() !== undefined);
    for (const [v, key] of keep) this.#queue.push(v, key);
  }

  #minQueuedAvt(): number {
    let min = Infinity;
    for (const [v] of this.#queue.entries()) min = Math.min(min, this.#state(v).avt);
    return min;
  }

  #state(vcpu: Vcpu): BvtState {
    let s = vcpu.schedulerData as BvtState | undefined;
    if (s === undefined) {
      s = { avt: this.#svt, evt: this.#svt, warping: false, warpedRunNs: 0, unwarpedSince: -Infinity, runnable: false };
      vcpu.schedulerData = s;
      this.#vcpus.add(vcpu);
    }
    return s;
  }
}
