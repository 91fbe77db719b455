import { pathLengths } from '../calibration/parameter-set.js';
import { CostCategory } from '../accounting/cost-category.js';
import { MechanismIndex } from '../accounting/mechanisms.js';
import type { MachineProfile } from '../machine/machine-profile.js';
import type { Domain } from '../domain/domain.js';

/**
 * Instructions of a kernel's NIC driver (an e1000/ixgbe-class Linux driver): the same on
 * every platform where a kernel drives a NIC directly — a real one on bare metal, a virtual
 * function under SR-IOV, the shared kernel's under containers. Data moves by DMA.
 *
 * @public
 */
export const NIC_DRIVER_PATH = pathLengths('@visorkit/core', {
  nicTransmit: {
    value: 1200,
    unit: 'instructions',
    source:
      "an e1000-class Linux 2.6 driver's hard_start_xmit per frame: descriptor set-up, the DMA mapping and the doorbell write (e1000_xmit_frame); estimated from the structure of the C, not measured",
  },
  nicReceive: {
    value: 1500,
    unit: 'instructions',
    source:
      "an e1000-class Linux 2.6 driver's interrupt and receive path per frame: e1000_intr, e1000_clean_rx_irq (descriptor reclaim, buffer refill) and the hand-off to netif_receive_skb; estimated from the structure of the C, not measured",
  },
});

/**
 * The driver's path lengths by direction (a view of {@link NIC_DRIVER_PATH}).
 *
 * @public
 */
export const NIC_DRIVER_INSTRUCTIONS = { transmit: NIC_DRIVER_PATH.value.nicTransmit, receive: NIC_DRIVER_PATH.value.nicReceive } as const;

/**
 * Cycles of the driver's transmit path.
 *
 * @public
 */
export function nicTransmitCycles(profile: MachineProfile): number {
  return NIC_DRIVER_INSTRUCTIONS.transmit * profile.cpu.kernelCpi;
}

/**
 * The receiving kernel's work for one frame (the interrupt and the driver's receive path),
 * owed by the domain's first vCPU: it arrives while the domain may not be running.
 *
 * @public
 */
export function oweNicReceive(domain: Domain, profile: MachineProfile): void {
  const vcpu = domain.vcpus[0]!;
  vcpu.defer(CostCategory.GuestKernel, profile.costs.interruptDelivery + NIC_DRIVER_INSTRUCTIONS.receive * profile.cpu.kernelCpi);
  vcpu.count(MechanismIndex.Interrupt);
}
