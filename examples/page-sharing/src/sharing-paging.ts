import {
  GuestPhysicalMapToken,
  GuestTransitions,
  InvalidArgumentError,
  Machine,
  MechanismIndex,
  Mechanisms,
  MemoryVirtualization,
  decorated,
  inject,
  injectable,
  type Domain,
  type FrameAccess,
  type Gfn,
  type GuestPhysicalMap,
  type Mfn,
  type PagingGeometry,
  type Vcpu,
} from '@visorkit/core';
import { PageScanner } from './page-scanner.js';
import { PAGE_SHARING_PATH } from './page-sharing-path-lengths.js';

/**
 * The paging point with content-based sharing: wraps the platform's own paging point (it
 * `decorates` MemoryVirtualization) and breaks a share before anything writes a shared frame
 * — copy on write. Every write path of the point is covered: a store through a writable
 * translation, a page zero or copy into the frame, a page-table write or pin, and a machine
 * frame taken with write intent (a device's DMA, a restore). The write to a shared frame
 * faults to the hypervisor, which copies the page, re-points the guest frame at the copy and
 * resumes: the fault's round trip, the handler's path and a page copy, charged to the writer
 * through core's transition path.
 *
 * How the fault arrives depends on the platform it wraps:
 *
 * - **nested paging** (hw-assist, hvm-ept): the EPT follows the guest-physical map, so a
 *   shared frame is mapped read-only in it and a write is an EPT violation — a VM exit;
 * - **Xen PV**: guest tables hold machine frames and nothing re-points them, so Xen keeps
 *   shared frames out of every table (it shares only frames no table maps and that are no
 *   table, and copies a shared frame before a table references it); a write reaches a shared
 *   frame only through the kernel's own mapping, write-protected, and faults into Xen — a trap.
 *
 * Everything else is the platform's: translations, TLBs, costs of its own.
 *
 * @public
 */
@injectable()
export class SharingPaging implements MemoryVirtualization {
  readonly geometry: PagingGeometry;
  readonly #cowFaults: number;
  readonly #transitions: GuestTransitions;
  /** True where the write is an EPT violation (a VM exit), false where it is a fault into Xen (a trap). */
  readonly #viaVmExit: boolean;
  /** The fault handler's work beyond its round trip: its path, and the page copy. */
  readonly #handlerCycles: number;

  constructor(
    @inject(decorated(MemoryVirtualization)) readonly inner: MemoryVirtualization,
    @inject(GuestPhysicalMapToken) readonly map: GuestPhysicalMap,
    @inject(Machine) readonly machine: Machine,
    @inject(Mechanisms) mechanisms: Mechanisms,
    @inject(GuestTransitions) transitions: GuestTransitions,
    @inject(PageScanner) readonly scanner: PageScanner,
  ) {
    if (!map.sharingSupported)
      throw new InvalidArgumentError(
        'page-sharing',
        "the paging point it wraps keeps machine frames in tables the guest or the host walks and neither re-points them nor keeps shared frames out of them (bare metal, shadow paging), so a shared frame could not be re-pointed on a write; compose it over nested paging (hw-assist with paging 'ept', 4 KiB host pages) or over Xen PV",
      );
    if (map.largeChunks)
      throw new InvalidArgumentError(
        'page-sharing',
        'guest memory is mapped by 2 MiB host pages, which cannot be shared 4 KiB at a time; compose it with largePages off',
      );
    this.geometry = inner.geometry;
    this.#cowFaults = mechanisms.register('cow-fault');
    this.#transitions = transitions;
    this.#viaVmExit = map.remapsFollowed;
    const path = this.#viaVmExit ? PAGE_SHARING_PATH.value.cowFaultHandler : PAGE_SHARING_PATH.value.xenUnshareHandler;
    this.#handlerCycles = path * machine.profile.cpu.kernelCpi + machine.profile.costs.pageCopy;
  }

  domainCreated(domain: Domain): void {
    this.inner.domainCreated?.(domain);
    // Sharing starts with the first guest: the scanner wakes on a daemon timer from then on.
    this.scanner.start();
  }

  domainDestroyed(domain: Domain): void {
    this.inner.domainDestroyed?.(domain);
  }

  frames(domain: Domain): number {
    return this.inner.frames(domain);
  }

  machineFrame(domain: Domain, frame: Gfn, access: FrameAccess): Mfn {
    // A device or a restore about to write: the domain gets its own copy first (the host does
    // it; no vCPU faulted, so nobody is charged).
    if (access === 'write' && this.map.isShared(domain, frame)) this.map.unshare(domain, frame);
    return this.inner.machineFrame(domain, frame, access);
  }

  pinPageTable(vcpu: Vcpu, frame: Gfn, level: number, kernelEntries?: number): void {
    this.#beforeWrite(vcpu, frame);
    this.inner.pinPageTable(vcpu, frame, level, kernelEntries);
  }

  unpinPageTable(vcpu: Vcpu, frame: Gfn): void {
    this.inner.unpinPageTable(vcpu, frame);
  }

  writePte(vcpu: Vcpu, table: Gfn, index: number, entry: number): void {
    this.#beforeWrite(vcpu, table);
    this.inner.writePte(vcpu, table, index, entry);
  }

  readPte(vcpu: Vcpu, table: Gfn, index: number): number {
    return this.inner.readPte(vcpu, table, index);
  }

  beginBatch(vcpu: Vcpu): void {
    this.inner.beginBatch(vcpu);
  }

  flushBatch(vcpu: Vcpu): void {
    this.inner.flushBatch(vcpu);
  }

  activate(vcpu: Vcpu, root: Gfn, addressSpace: number): void {
    this.inner.activate(vcpu, root, addressSpace);
  }

  translate(vcpu: Vcpu, virtualPage: number, write: boolean): Gfn {
    const gfn = this.inner.translate(vcpu, virtualPage, write);
    // Hot path: a byte test per write translation.
    if (write && gfn >= 0 && this.map.isShared(vcpu.domain, gfn)) {
      this.#copyOnWrite(vcpu, gfn);
      // The store lands in the private copy: it holds the writer's data from now on.
      this.map.wrote(vcpu.domain, gfn);
    }
    return gfn;
  }

  invalidatePage(vcpu: Vcpu, virtualPage: number): void {
    this.inner.invalidatePage(vcpu, virtualPage);
  }

  flushTlb(vcpu: Vcpu): void {
    this.inner.flushTlb(vcpu);
  }

  worldSwitch(vcpu: Vcpu): void {
    this.inner.worldSwitch(vcpu);
  }

  zeroFrame(vcpu: Vcpu, frame: Gfn): void {
    this.#beforeWrite(vcpu, frame);
    this.inner.zeroFrame(vcpu, frame);
  }

  copyFrame(vcpu: Vcpu, to: Gfn, from: Gfn): void {
    this.#beforeWrite(vcpu, to);
    this.inner.copyFrame(vcpu, to, from);
  }

  /** A kernel store into a shared frame breaks the share first, as a user store does. */
  writeFrame(vcpu: Vcpu, frame: Gfn): void {
    this.#beforeWrite(vcpu, frame);
    this.inner.writeFrame(vcpu, frame);
  }

  #beforeWrite(vcpu: Vcpu, frame: Gfn): void {
    if (this.map.isShared(vcpu.domain, frame)) this.#copyOnWrite(vcpu, frame);
  }

  /** The write faults to the hypervisor, which copies the shared page for the writer and re-points its frame. */
  #copyOnWrite(vcpu: Vcpu, frame: Gfn): void {
    this.map.unshare(vcpu.domain, frame);
    if (this.#viaVmExit) this.#transitions.vmExit(vcpu, 'ept-write-protect', this.#handlerCycles);
    else this.#transitions.trap(vcpu, 'shared-page-write', this.#handlerCycles);
    vcpu.count(MechanismIndex.PageCopy);
    vcpu.count(this.#cowFaults);
  }
}
