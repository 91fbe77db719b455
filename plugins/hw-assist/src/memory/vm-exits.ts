import { CostCategory, type CpuEvents, MechanismIndex, type Vcpu } from '@visorkit/core';

/**
 * Charges one VM exit and the following entry (hardware world switch) plus the handler's
 * work, counts it, and emits it on vmExits$ when someone listens.
 */
export function chargeVmExit(vcpu: Vcpu, events: CpuEvents, exitCycles: number, handlerCycles: number, reason: string): void {
  vcpu.charge(CostCategory.Hypervisor, exitCycles + handlerCycles);
  vcpu.count(MechanismIndex.VmExit);
  if (events.vmExitsObserved) events.emitVmExit({ time: vcpu.now(), domainId: vcpu.domain.id, vcpu: vcpu.index, reason });
}
