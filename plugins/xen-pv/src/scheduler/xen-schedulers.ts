import { ProportionalShareScheduler, inject, injectable, type Vcpu } from '@visorkit/core';
import { XenPvOptions } from '../xen-pv-options.js';

export { BvtScheduler } from './bvt-scheduler.js';

/**
 * Xen 3's credit scheduler: a domain's weight is shared by its vCPUs (a domain with many
 * busy vCPUs gets no more than its weight), credits debited as vCPUs run, and a vCPU woken
 * from blocking is boosted ahead of those that used their credit. 30 ms accounting slices.
 *
 * @public
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
