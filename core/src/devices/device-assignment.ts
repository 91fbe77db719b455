import type { Domain } from '../domain/domain.js';
import type { Gfn, Mfn } from '../units/units.js';

/**
 * Token for the {@link DeviceAssignment} extension point.
 *
 * @public
 */
export const DeviceAssignment = Symbol.for('visorkit.DeviceAssignment');

/**
 * Optional point: devices assigned directly to guests (SR-IOV virtual functions) and the
 * IOMMU that confines their DMA. An assigned device moves data with no hypervisor on the
 * path, so the IOMMU is the only thing between it and other domains' memory; and it pins
 * its domain to the host (a live migration first falls back to a paravirtual device). The
 * `device-passthrough` capability follows from this point being bound.
 *
 * Callers: the network and block points of the same platform (DMA), the migration driver.
 *
 * @public
 */
export interface DeviceAssignment {
  /** Devices assigned directly to the domain; they pin it to this host. */
  assignedDevices(domain: Domain): number;
  /** Hot-unplugs the domain's assigned devices, falling back to paravirtual ones (before migration). */
  fallBackToParavirtual(domain: Domain): void;
  /**
   * The machine frame an assigned device of `domain` reaches when it DMAs to guest frame
   * `gfn`, or -1 when the IOMMU refuses (a frame outside the domain): an IOMMU fault.
   */
  iommuTranslate(domain: Domain, gfn: Gfn): Mfn;
}
