import { CostCategory } from '../accounting/cost-category.js';
import { MechanismIndex } from '../accounting/mechanisms.js';
import type { MachineProfile } from '../machine/machine-profile.js';
import type { Domain } from '../domain/domain.js';

/**
 * Instructions of a kernel's NIC driver (an e1000/ixgbe-class Linux driver): the same on
 * every platform where a kernel drives a NIC directly — a real one on bare metal, a virtual
 * function under SR-IOV, the shared kernel's under containers. Data moves by DMA.
 */
export const NIC_DRIVER_INSTRUCTIONS = {
  /** Per transmitted frame: descriptor setup and the doorbell write. */
  transmit: 1200,
  /** Per received frame: interrupt handler, descriptor reclaim, buffer refill, hand-off to the stack. */
  receive: 1500,
} as const;

/** Cycles of the driver's transmit path. */
export function nicTransmitCycles(profile: MachineProfile): number {
  return NIC_DRIVER_INSTRUCTIONS.transmit * profile.cpu.kernelCpi;
}

/**
 * The receiving kernel's work for one frame (the interrupt and the driver's receive path),
 * owed by the domain's first vCPU: it arrives while the domain may not be running.
 */
export function oweNicReceive(domain: Domain, profile: MachineProfile): void {
  const vcpu = domain.vcpus[0]!;
  vcpu.defer(CostCategory.GuestKernel, profile.costs.interruptDelivery + NIC_DRIVER_INSTRUCTIONS.receive * profile.cpu.kernelCpi);
  vcpu.count(MechanismIndex.Interrupt);
}
