import type { Vcpu } from '../domain/vcpu.js';

/**
 * A min-heap of vCPUs keyed by a number the scheduler chooses (virtual runtime, effective
 * virtual time, credit priority…), ties broken by domain id then vCPU index so that picks
 * are deterministic. O(log n) insert and pop: fit for 10,000 runnable vCPUs.
 *
 * @internal
 */
export class RunQueue {
  #vcpus: Vcpu[] = [];
  #keys: number[] = [];

  /** Number of queued vCPUs. */
  get size(): number {
    return this.#vcpus.length;
  }

  /** Smallest key queued, or Infinity when empty. */
  get minKey(): number {
    return this.#keys.length > 0 ? this.#keys[0]! : Infinity;
  }

  /** The vCPU with the smallest key, without removing it. */
  peek(): Vcpu | undefined {
    return this.#vcpus[0];
  }

  /** Queues `vcpu` with `key`. A vCPU must not be queued twice. */
  push(vcpu: Vcpu, key: number): void {
    const vs = this.#vcpus;
    const ks = this.#keys;
    let i = vs.length;
    vs.push(vcpu);
    ks.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(key, vcpu, ks[parent]!, vs[parent]!)) break;
      vs[i] = vs[parent]!;
      ks[i] = ks[parent]!;
      i = parent;
    }
    vs[i] = vcpu;
    ks[i] = key;
  }

  /** Removes and returns the vCPU with the smallest key. */
  pop(): Vcpu | undefined {
    const vs = this.#vcpus;
    const ks = this.#keys;
    const top = vs[0];
    if (top === undefined) return undefined;
    const lastV = vs.pop()!;
    const lastK = ks.pop()!;
    const n = vs.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        let c = l;
        const r = l + 1;
        if (r < n && this.#less(ks[r]!, vs[r]!, ks[l]!, vs[l]!)) c = r;
        if (!this.#less(ks[c]!, vs[c]!, lastK, lastV)) break;
        vs[i] = vs[c]!;
        ks[i] = ks[c]!;
        i = c;
      }
      vs[i] = lastV;
      ks[i] = lastK;
    }
    return top;
  }

  /** Every queued vCPU (unordered), e.g. to rescale keys. */
  *entries(): IterableIterator<[Vcpu, number]> {
    for (let i = 0; i < this.#vcpus.length; i++) yield [this.#vcpus[i]!, this.#keys[i]!];
  }

  #less(ka: number, a: Vcpu, kb: number, b: Vcpu): boolean {
    if (ka !== kb) return ka < kb;
    if (a.domain.id !== b.domain.id) return a.domain.id < b.domain.id;
    return a.index < b.index;
  }
}
