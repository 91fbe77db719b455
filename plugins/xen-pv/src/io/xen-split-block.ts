import {
  CostCategory,
  DiskPartitions,
  IoEvents,
  HypercallTable,
  Machine,
  MechanismIndex,
  MemoryVirtualization,
  SECTORS_PER_FRAME,
  createIoRing,
  inject,
  injectable,
  type BlockBackend,
  type BlockRequest,
  type BlockStatus,
  type Domain,
  type FrameAccess,
  type IoRing,
  type RingRequest,
  type RingResponse,
  type Vcpu,
  gfn,
} from '@visorkit/core';
import { GuestRequestError, GuestTransitions } from '@visorkit/core';
import { DOM0 } from '../control/dom0.js';
import { XenPvMemory } from '../memory/xen-pv-memory.js';
import { SplitDeviceChannels, type SplitEndpoint } from './split-device.js';
import { XEN_IO_INSTRUCTIONS, ioCycles } from './xen-io-costs.js';
import { XenIoOptions } from './xen-io-options.js';

/**
 * A run of physical sectors that backs part of a virtual block device.
 *
 * @public
 */
export interface Extent {
  readonly start: number;
  readonly sectors: number;
}

interface BlkRequest extends RingRequest {
  readonly operation: 'read' | 'write';
  readonly sector: number;
  readonly count: number;
}
interface BlkResponse extends RingResponse {
  readonly status: BlockStatus;
}

const NO_FRAMES: readonly number[] = [];

/**
 * The virtual block device control hypercall's number (Dom0 only: Xen 1.x's block_io_op VBD
 * commands). Outside Xen's public numbering on purpose, as vfr_op's is.
 *
 * @public
 */
export const HYPERCALL_VBD_OP = 49;

/** A virtual block device: extents set by Dom0, a ring, and requests in flight. */
class Vbd implements SplitEndpoint {
  readonly ring: IoRing<BlkRequest, BlkResponse>;
  guestPort = 0;
  backendPort = 0;
  nextId = 0;
  backendScheduled = false;
  readonly waiting = new Map<number, (status: BlockStatus) => void>();
  readonly results = new Map<number, BlockStatus>();

  constructor(
    readonly block: XenSplitBlock,
    readonly domain: Domain,
    public extents: readonly Extent[],
    ringSize: number,
  ) {
    this.ring = createIoRing<BlkRequest, BlkResponse>(ringSize);
  }

  get sectors(): number {
    return this.extents.reduce((n, e) => n + e.sectors, 0);
  }

  backendNotified(): void {
    this.block.scheduleBackend(this);
  }

  frontendNotified(): void {
    this.block.frontendUpcall(this);
  }
}

/**
 * Xen's virtual block devices (seed "Disk"): only Dom0 reaches the real disk. A guest disk
 * is a list of extents whose translation table Dom0 sets; the guest queues requests whose
 * descriptors point at its own pages, Xen translates each virtual sector through the
 * extents (refusing anything outside them), reorders a batch by physical position and
 * submits it, and the disk DMAs straight into the guest's pages. Responses carry the request
 * id and may come back out of order.
 *
 * @public
 */
@injectable()
export class XenSplitBlock implements BlockBackend {
  readonly #vbds: Vbd[] = [];
  readonly #partitions: DiskPartitions;
  readonly #devices: SplitDeviceChannels;
  /** Xen's page types: a device may write a guest page only while it is no page table. */
  readonly #pageTypes: XenPvMemory;

  constructor(
    @inject(Machine) readonly machine: Machine,
    @inject(MemoryVirtualization) readonly memory: MemoryVirtualization,
    @inject(XenIoOptions) readonly options: XenIoOptions,
    @inject(IoEvents) readonly events: IoEvents,
    @inject(XenPvMemory) pageTypes: XenPvMemory,
    @inject(GuestTransitions) readonly transitions: GuestTransitions,
    @inject(HypercallTable) hypercalls: HypercallTable,
  ) {
    this.#pageTypes = pageTypes;
    hypercalls.register(HYPERCALL_VBD_OP, 'vbd_op', () => 0, 'control-domain', DOM0);
    this.#partitions = new DiskPartitions(machine.disks[0]!, machine.memory);
    this.#devices = new SplitDeviceChannels(machine, options, transitions);
  }

  /** Dom0's tools create the device with one extent carved from the disk. */
  attachDisk(domain: Domain, sectors: number): number {
    const part = this.#partitions.get(domain, this.#partitions.attach(domain, sectors));
    const vbd = new Vbd(this, domain, [{ start: part.start, sectors }], this.options.ringSize);
    const ports = this.#devices.bind(domain, vbd);
    vbd.guestPort = ports.guestPort;
    vbd.backendPort = ports.backendPort;
    this.#vbds.push(vbd);
    return this.#vbds.length - 1;
  }

  diskSectors(domain: Domain, device: number): number {
    return this.#vbd(domain, device).sectors;
  }

  /**
   * Replaces a device's extent list: the Dom0-only `vbd_op` hypercall. Core's transition path
   * checks the privilege (a guest gets a typed PrivilegeViolationError, counted, and the
   * extents stay as they were), charges the round trip and traces it.
   */
  setExtents(vcpu: Vcpu, device: number, extents: readonly Extent[]): void {
    this.transitions.hypercall(vcpu, HYPERCALL_VBD_OP);
    const vbd = this.#vbds[device];
    if (vbd === undefined) throw new GuestRequestError(vcpu.domain.name, 'vbd_op', `no virtual block device ${device}`);
    vbd.extents = extents.map((e) => ({ ...e }));
  }

  submit(vcpu: Vcpu, device: number, request: BlockRequest, done: (status: BlockStatus) => void): void {
    const vbd = this.#vbd(vcpu.domain, device);
    const p = this.machine.profile;
    const front = vbd.ring.front;
    if (front.full()) {
      vcpu.count(MechanismIndex.PacketDropped);
      this.machine.sim.schedule(0, () => done('error'));
      return;
    }
    const id = vbd.nextId++ >>> 0;
    front.pushRequest({
      id,
      operation: request.operation,
      sector: request.sector,
      count: request.frames.length * SECTORS_PER_FRAME,
      segments: request.frames.map((gfn) => ({ gfn, offset: 0, length: 4096 })),
    });
    vbd.waiting.set(id, done);
    vcpu.charge(CostCategory.GuestKernel, ioCycles(p, XEN_IO_INSTRUCTIONS.frontRequest));
    vcpu.count(MechanismIndex.RingRequest);
    vcpu.count(MechanismIndex.DiskRequest);
    if (front.pushRequestsAndCheckNotify()) this.#devices.notifyBackend(vcpu, vbd.guestPort);
  }

  /** Notified: drain the ring soon (blkback latency). */
  scheduleBackend(vbd: Vbd): void {
    if (vbd.backendScheduled) return;
    vbd.backendScheduled = true;
    this.machine.sim.schedule(1000, () => this.#drain(vbd));
  }

  #drain(vbd: Vbd): void {
    vbd.backendScheduled = false;
    const back = vbd.ring.back;
    const p = this.machine.profile;
    let work = 0;
    const batch: { id: number; operation: 'read' | 'write'; physical: number; count: number; mfns: number[]; written: readonly number[] }[] = [];
    do {
      for (let req = back.takeRequest(); req !== undefined; req = back.takeRequest()) {
        work += ioCycles(p, XEN_IO_INSTRUCTIONS.backRequest + XEN_IO_INSTRUCTIONS.extentTranslate);
        const physical = this.#translate(vbd, req.sector, req.count);
        const segments = req.segments ?? [];
        if (vbd.domain.state === 'destroyed') {
          // The domain died with requests in its ring: its memory is gone, so nothing is mapped or moved.
          this.#respond(vbd, req.id, 'error');
          continue;
        }
        const ownsAll = segments.every((s) => s.gfn >= 0 && s.gfn < this.memory.frames(vbd.domain));
        work += ioCycles(p, XEN_IO_INSTRUCTIONS.backSegment) * segments.length;
        if (physical < 0 || !ownsAll) {
          vbd.domain.counts[MechanismIndex.PrivilegeViolation] = vbd.domain.counts[MechanismIndex.PrivilegeViolation]! + 1;
          this.#respond(vbd, req.id, 'out-of-range');
          continue;
        }
        // A disk read DMAs into the guest's pages: the domain's memory is written.
        const mfns = segments.map((s) => this.#frameFor(vbd.domain, s.gfn, req.operation === 'read' ? 'write' : 'read'));
        // A read writes the guest's pages: Xen refuses to grant a device write access to a page
        // table (its type is not writable), so the request fails rather than rewrite a validated table.
        const written = req.operation === 'read' ? segments.map((s) => s.gfn) : NO_FRAMES;
        if (!this.#pageTypes.beginDeviceWrite(vbd.domain, written)) {
          vbd.domain.counts[MechanismIndex.PrivilegeViolation] = vbd.domain.counts[MechanismIndex.PrivilegeViolation]! + 1;
          this.#respond(vbd, req.id, 'error');
          continue;
        }
        batch.push({ id: req.id, operation: req.operation, physical, count: req.count, mfns, written });
      }
    } while (back.finalCheckForRequests());
    // Reorder the batch by physical position (an elevator pass), then submit.
    batch.sort((a, b) => a.physical - b.physical);
    for (const r of batch) {
      this.#partitions.disk.submit(
        r.physical,
        r.count,
        () => {
          const ok = this.#partitions.dma(r.operation, r.physical, r.mfns);
          this.#pageTypes.endDeviceWrite(vbd.domain, r.written);
          this.#respond(vbd, r.id, ok ? 'ok' : 'error');
        },
        vbd.domain,
      );
    }
    this.#devices.chargeBackend(vbd.domain, work);
  }

  /** Physical sector of a request lying entirely inside one extent, or -1. */
  #translate(vbd: Vbd, sector: number, count: number): number {
    if (!Number.isInteger(sector) || sector < 0) return -1;
    let base = 0;
    for (const e of vbd.extents) {
      if (sector >= base && sector + count <= base + e.sectors) return e.start + (sector - base);
      base += e.sectors;
    }
    return -1;
  }

  #frameFor(domain: Domain, page: number, access: FrameAccess): number {
    const frame = gfn(page);
    if (this.memory.machineFrame(domain, frame, 'read') < 0) this.memory.zeroFrame(domain.vcpus[0]!, frame);
    return this.memory.machineFrame(domain, frame, access);
  }

  #respond(vbd: Vbd, id: number, status: BlockStatus): void {
    const back = vbd.ring.back;
    vbd.results.set(id, status);
    back.pushResponse({ id, status });
    if (back.pushResponsesAndCheckNotify()) this.#devices.notifyFrontend(vbd.backendPort);
  }

  /** The guest's upcall: take responses (in whatever order they came) and complete requests. */
  frontendUpcall(vbd: Vbd): void {
    this.#devices.chargeUpcall(vbd.domain);
    const front = vbd.ring.front;
    const vcpu = vbd.domain.vcpus[0]!;
    do {
      for (let rsp = front.takeResponse(); rsp !== undefined; rsp = front.takeResponse()) {
        vcpu.defer(CostCategory.GuestKernel, ioCycles(this.machine.profile, XEN_IO_INSTRUCTIONS.frontResponse));
        const done = vbd.waiting.get(rsp.id);
        vbd.waiting.delete(rsp.id);
        done?.(rsp.status);
      }
    } while (front.finalCheckForResponses());
  }

  #vbd(domain: Domain, device: number): Vbd {
    const vbd = this.#vbds[device];
    if (vbd === undefined || vbd.domain !== domain)
      throw new GuestRequestError(domain.name, 'block request', `device ${device} is not one of its virtual block devices`);
    return vbd;
  }
}
