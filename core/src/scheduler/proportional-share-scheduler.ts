import { injectable } from 'inversify';
import type { Vcpu } from '../domain/vcpu.js';
import { RunQueue } from './run-queue.js';
import type { VcpuScheduler } from './vcpu-scheduler.js';

/** Load weight of a nice-0 task in Linux; domain weight 256 (the default) maps to it. */
const NICE_0_LOAD = 1024;

interface CfsEntity {
  vruntime: number;
  load: number;
}

/**
 * The reference proportional-share scheduler, modelled on Linux CFS: each vCPU accrues virtual runtime at a rate
 * inversely proportional to its weight, the smallest virtual runtime runs next, and slices
 * divide a target latency among the runnable load (never below a minimum granularity).
 * A woken vCPU is placed at most half a latency behind the queue (sleeper fairness), so
 * sleeping earns no unbounded credit. Caps are not enforced (CFS bandwidth control is not
 * modelled). Native and hardware-assisted hosts schedule vCPUs (threads) with it.
 *
 * Injectable as it is, with Linux's defaults (`bind(VcpuScheduler).to(ProportionalShareScheduler)`),
 * or built with other settings; a design that differs in a weight, a wake-up allowance or a
 * hold-back extends it (`loadOf`, `wakeCredit`, `requeue`).
 *
 * @public
 */
@injectable()
export class ProportionalShareScheduler implements VcpuScheduler {
  readonly name: string = 'cfs';
  readonly #queue = new RunQueue();
  #latencyNs: number;
  #minGranularityNs: number;
  #minVruntime = 0;
  #runnableLoad = 0;

  /**
   * @param latencyMs target latency: every runnable vCPU runs once per period (Linux: 6 ms)
   * @param minGranularityMs shortest slice (Linux: 0.75 ms)
   */
  constructor(latencyMs = 6, minGranularityMs = 0.75) {
    this.#latencyNs = latencyMs * 1e6;
    this.#minGranularityNs = minGranularityMs * 1e6;
  }

  /** A fixed time slice: every vCPU runs `ns` before the next is picked. */
  setTimeSlice(ns: number): void {
    this.#latencyNs = ns;
    this.#minGranularityNs = ns;
  }

  get queued(): number {
    return this.#queue.size;
  }

  wake(vcpu: Vcpu, _now?: number): void {
    const e = this.#entity(vcpu);
    e.vruntime = Math.max(e.vruntime, this.#minVruntime - this.#latencyNs / 2) - this.wakeCredit(vcpu);
    this.#runnableLoad += e.load;
    this.#queue.push(vcpu, e.vruntime);
  }

  pick(_pcpu?: number, _now?: number): Vcpu | undefined {
    const v = this.#queue.pop();
    if (v !== undefined) this.#minVruntime = Math.max(this.#minVruntime, this.#entity(v).vruntime);
    return v;
  }

  sliceNs(vcpu: Vcpu, _now?: number): number {
    const share = (this.#latencyNs * this.#entity(vcpu).load) / Math.max(this.#runnableLoad, 1);
    return Math.max(this.#minGranularityNs, share);
  }

  ran(vcpu: Vcpu, ranNs: number, _now: number, runnable: boolean): void {
    const e = this.#entity(vcpu);
    e.vruntime += (ranNs * NICE_0_LOAD) / e.load;
    if (runnable) this.#queue.push(vcpu, e.vruntime);
    else this.#runnableLoad -= e.load;
  }

  /**
   * Puts back a vCPU a subclass took out of `pick` without running it (held by a limit):
   * it stays runnable, with its virtual runtime unchanged.
   */
  protected requeue(vcpu: Vcpu): void {
    this.#queue.push(vcpu, this.#entity(vcpu).vruntime);
  }

  /** Load weight of a vCPU (default: its domain's weight, 256 = Linux's nice-0 1024). */
  protected loadOf(vcpu: Vcpu): number {
    return (vcpu.domain.weight * NICE_0_LOAD) / 256;
  }

  /** Virtual time a waking vCPU may borrow (a latency allowance); 0 here. */
  protected wakeCredit(_vcpu: Vcpu): number {
    return 0;
  }

  #entity(vcpu: Vcpu): CfsEntity {
    // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- schedulerData is the composed scheduler's own slot, and only this class writes it
    let e = vcpu.schedulerData as CfsEntity | undefined;
    if (e === undefined) {
      e = { vruntime: this.#minVruntime, load: Math.max(1, this.loadOf(vcpu)) };
      vcpu.schedulerData = e;
    }
    return e;
  }
}
