import { ProportionalShareScheduler, inject, injectable, type Vcpu } from '@visorkit/core';
import { XenPvOptions } from '../xen-pv-options.js';

/**
 * Xen 3's credit scheduler: a domain's weight is shared by its vCPUs (a domain with many
 * busy vCPUs gets no more than its weight), credits debited as vCPUs run, and a vCPU woken
 * from blocking is boosted ahead of those that used their credit. 30 ms accounting slices.
 */
@injectable()
export class CreditScheduler extends ProportionalShareScheduler {
  override readonly name: string = 'credit';
  constructor(@inject(XenPvOptions) _options: XenPvOptions) {
    super(30, 1);
  }
  protected override loadOf(vcpu: Vcpu): number {
    return (vcpu.domain.weight * 4) / vcpu.domain.vcpus.length;
  }
}

/**
 * Borrowed virtual time (Duda & Cheriton, SOSP 1999), Xen 1.x's scheduler: each domain's
 * virtual time advances by its run time over its weight; the smallest runs next; a
 * latency-sensitive domain may warp (borrow) virtual time when it wakes, by `warpMs`.
 */
@injectable()
export class BvtScheduler extends ProportionalShareScheduler {
  override readonly name: string = 'bvt';
  constructor(@inject(XenPvOptions) _options: XenPvOptions) {
    super(10, 1);
  }
  protected override loadOf(vcpu: Vcpu): number {
    return (vcpu.domain.weight * 4) / vcpu.domain.vcpus.length;
  }
  protected override wakeCredit(vcpu: Vcpu): number {
    return vcpu.domain.warpMs * 1e6;
  }
}
