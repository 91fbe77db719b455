import { ProportionalShareScheduler, Simulator, inject, injectable, type Domain, type Vcpu } from '@visorkit/core';
import { VSERVER_PATH } from '../vserver-path-lengths.js';

/** A context's token bucket (Linux-VServer's hard CPU scheduler). */
interface Bucket {
  /** Tokens, in ms of CPU; one is spent per ms a context's vCPUs run. */
  tokens: number;
  /** Tokens added per ms of real time: the context's share of one pCPU. */
  readonly fillPerMs: number;
  /** Most tokens the bucket holds. */
  readonly capacity: number;
  /** Tokens a held context needs before it runs again. */
  readonly minimum: number;
  lastFill: number;
  /** vCPUs held back while the bucket is empty. */
  readonly held: Vcpu[];
  releasePending: boolean;
}

/**
 * Linux-VServer's CPU scheduler: a token bucket per context layered on the kernel's own
 * proportional-share scheduler. Contexts without a cap share fairly by weight (the kernel's
 * scheduler alone). A context with a cap (percent of one CPU) is a hard limit: its bucket
 * fills at the cap's rate, running drains it, and an empty bucket holds the context's vCPUs
 * back until it refills to a minimum — so a context can never take more than its cap,
 * whatever its processes do.
 *
 * @public
 */
@injectable()
export class ContextTokenBucketScheduler extends ProportionalShareScheduler {
  override readonly name = 'vserver-tbf';
  readonly #buckets = new Map<Domain, Bucket>();
  #kick: () => void = () => {};

  constructor(@inject(Simulator) readonly sim: Simulator) {
    super(6, 0.75);
  }

  attachRunner(kick: () => void): void {
    this.#kick = kick;
  }

  override pick(pcpu: number, now: number): Vcpu | undefined {
    for (;;) {
      const v = super.pick(pcpu, now);
      if (v === undefined) return undefined;
      const bucket = this.#bucket(v.domain, now);
      if (bucket === undefined || bucket.tokens > 0) return v;
      // Out of tokens: hold it until the bucket refills to the minimum.
      bucket.held.push(v);
      this.#scheduleRelease(v.domain, bucket, now);
    }
  }

  override sliceNs(vcpu: Vcpu, now: number): number {
    const slice = super.sliceNs(vcpu, now);
    const bucket = this.#bucket(vcpu.domain, now);
    return bucket === undefined ? slice : Math.max(100_000, Math.min(slice, bucket.tokens * 1e6));
  }

  override ran(vcpu: Vcpu, ranNs: number, now: number, runnable: boolean): void {
    const bucket = this.#bucket(vcpu.domain, now);
    if (bucket !== undefined) bucket.tokens -= ranNs / 1e6;
    super.ran(vcpu, ranNs, now, runnable);
  }

  /** Tokens left in a capped context's bucket (undefined: no cap). */
  tokens(domain: Domain): number | undefined {
    return this.#bucket(domain, this.sim.now)?.tokens;
  }

  #bucket(domain: Domain, now: number): Bucket | undefined {
    if (domain.cap <= 0) return undefined;
    let b = this.#buckets.get(domain);
    if (b === undefined) {
      b = {
        tokens: VSERVER_PATH.value.tokenBucketCapacityMs * (domain.cap / 100),
        fillPerMs: domain.cap / 100,
        capacity: VSERVER_PATH.value.tokenBucketCapacityMs * (domain.cap / 100),
        minimum: VSERVER_PATH.value.tokenBucketMinimumMs * (domain.cap / 100),
        lastFill: now,
        held: [],
        releasePending: false,
      };
      this.#buckets.set(domain, b);
    }
    b.tokens = Math.min(b.capacity, b.tokens + ((now - b.lastFill) / 1e6) * b.fillPerMs);
    b.lastFill = now;
    return b;
  }

  #scheduleRelease(domain: Domain, bucket: Bucket, now: number): void {
    if (bucket.releasePending) return;
    bucket.releasePending = true;
    const waitNs = Math.max(1000, ((bucket.minimum - bucket.tokens) / bucket.fillPerMs) * 1e6);
    this.sim.scheduleAt(now + waitNs, () => {
      bucket.releasePending = false;
      const held = bucket.held.splice(0);
      for (const v of held) super.requeue(v);
      this.#kick();
    });
  }
}
