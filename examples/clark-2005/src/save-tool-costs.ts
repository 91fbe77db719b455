import type { Domain, MachineProfile, MigrationSenderSpec } from '@visorkit/core';
import { PATH } from '@visorkit/guest';
import { XEN_PV_PRIMITIVES } from '@visorkit/xen-pv';

/** Ethernet's MTU less the IP and TCP headers: the payload of one segment. */
const MSS_BYTES = 1500 - 40;
const PAGE_BYTES = 4096;

/**
 * The CPU work of Xen's save tool in Dom0, per page and per batch, from the paths it runs
 * (`xc_linux_save`: map a batch of the guest's frames with one privileged `mmu_update`
 * hypercall, `write()` them to the migration socket, unmap), priced with the profile's
 * primitives and the guest kernel's TCP output path (Dom0 runs the same Linux):
 *
 * - per page: the mapping's entry, validated by Xen (xen-pv's `pteValidate` primitive) and stored (`pteWrite`), and its invalidation
 *   on unmap (`tlbInvalidatePage`), the copy from the mapping into socket buffers (`pageCopy`),
 *   and TCP output for the 4096 / 1460 segments it makes (`PATH.tcpOutput`);
 * - per batch: the map hypercall and the ioctl and write system calls that carry the batch.
 *
 * @public
 */
export function saveToolSender(profile: MachineProfile, dom0: Domain): MigrationSenderSpec {
  const c = profile.costs;
  const cpi = profile.cpu.kernelCpi;
  return {
    domain: dom0,
    cyclesPerPage: XEN_PV_PRIMITIVES.of(profile).pteValidate + c.pteWrite + c.tlbInvalidatePage + c.pageCopy + (PAGE_BYTES / MSS_BYTES) * PATH.tcpOutput * cpi,
    cyclesPerBatch: c.hypercallRoundTrip + 2 * (c.syscallRoundTrip + PATH.syscallDispatch * cpi),
  };
}
