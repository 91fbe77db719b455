import { InvalidArgumentError, type Hypervisor } from '@visorkit/core';
import { bootGuest, type GuestKernel } from '@visorkit/guest';
import { composeFor, type ExperimentContext, type PlatformSpec } from './experiment.js';
import { consolidatedService, type ServiceProgress, type ServiceShape } from '../programs/consolidated-service.js';

const MIB = 1 << 20;
const FRAME_BYTES = 4096;
/** Entries of a 4 KiB page table (8-byte entries): one table maps this many frames. */
const ENTRIES_PER_TABLE = FRAME_BYTES / 8;
/** Levels of the host's tables above the leaf tables (4-level paging), each a frame at least. */
const UPPER_TABLE_LEVELS = 3;

/**
 * Service instances on one platform, placed as it isolates them: a VM each (its own kernel
 * and a fixed memory reservation), or processes — in contexts for a container platform — of
 * one kernel that holds all the machine's memory.
 *
 * @public
 */
export class ServiceHost {
  readonly hv: Hypervisor;
  readonly #instances: { readonly kernel: GuestKernel; readonly pid: number; readonly progress: ServiceProgress }[] = [];
  readonly #shared: GuestKernel | undefined;

  constructor(
    ctx: ExperimentContext,
    readonly platform: PlatformSpec,
    readonly shape: ServiceShape,
    machineMiB: number | undefined,
    /** Memory of each VM, in MiB (unused with one shared kernel). */
    readonly reservationMiB: number,
  ) {
    this.hv = composeFor(ctx, platform, machineMiB !== undefined ? { memoryMiB: machineMiB } : {});
    if (platform.isolation !== 'domains') {
      const free = this.hv.unreservedFrames;
      // Containers on VMs: the host maps the VM's memory with page tables of its own, taken
      // from the same RAM as it populates the VM, so the VM leaves them room.
      const hostTables = platform.stackedOn !== undefined ? Math.ceil(free / ENTRIES_PER_TABLE) + UPPER_TABLE_LEVELS : 0;
      const memoryMiB = Math.floor(((free - hostTables) * FRAME_BYTES) / MIB);
      this.#shared = bootGuest(this.hv, this.hv.createDomain({ name: 'host', vcpus: this.hv.machine.pcpus.length, memoryMiB }));
    }
  }

  get count(): number {
    return this.#instances.length;
  }

  /** Instances still running (their process alive, their domain not crashed). */
  get alive(): number {
    let n = 0;
    for (let i = 0; i < this.#instances.length; i++) if (this.#isAlive(i)) n++;
    return n;
  }

  get requests(): number {
    let n = 0;
    for (const s of this.#instances) n += s.progress.requests;
    return n;
  }

  /** Requests instance `index` has served so far. */
  requestsOf(index: number): number {
    return this.#instances[index]!.progress.requests;
  }

  /** The kernel instance `index` runs on (one for all of them with a shared kernel). */
  kernelOf(index: number): GuestKernel {
    return this.#instances[index]!.kernel;
  }

  /** Guest frames the instances hold: a VM's whole reservation, or what the shared kernel uses. */
  get framesHeld(): number {
    const kernel = this.#shared;
    if (kernel !== undefined) return kernel.frames.frames - kernel.frames.available;
    let n = 0;
    for (const s of this.#instances) n += s.kernel.frames.frames;
    return n;
  }

  /** Starts one more instance; false when the platform refused it (no memory left to reserve). */
  add(): boolean {
    const index = this.#instances.length;
    const progress: ServiceProgress = { started: false, requests: 0 };
    const image = { program: consolidatedService(progress, this.shape), textPages: 16, dataPages: 4, bssPages: 8, libraries: ['/lib/libc.so'] };
    let kernel = this.#shared;
    if (kernel === undefined) {
      let domain;
      try {
        domain = this.hv.createDomain({ name: `service${index}`, memoryMiB: this.reservationMiB });
      } catch (e) {
        // The hypervisor partitions memory: once it is all reserved, another VM is refused.
        if (e instanceof InvalidArgumentError && e.what === 'memoryMiB') return false;
        throw e;
      }
      kernel = bootGuest(this.hv, domain);
    }
    const path = `/srv/service${index}`;
    kernel.install(path, image);
    // A container platform puts each instance in its own context; one OS runs them as its processes.
    const pid = kernel.spawn(path, this.platform.isolation === 'contexts' ? index + 1 : 0);
    this.#instances.push({ kernel, pid, progress });
    return true;
  }

  /**
   * Runs until every instance has its memory resident, or one died waiting to. Checks one
   * instance per event (the first not yet started), so waiting costs O(1) per event.
   */
  settle(): void {
    let next = 0;
    this.hv.runWhile(() => {
      while (next < this.#instances.length && this.#instances[next]!.progress.started) next++;
      return next < this.#instances.length && this.#isAlive(next);
    });
  }

  #isAlive(index: number): boolean {
    const { kernel, pid } = this.#instances[index]!;
    return kernel.domain.state === 'running' && kernel.processes.has(pid);
  }
}

/**
 * Memory one instance measurably uses in a VM of its own — its kernel, page cache, page tables
 * and data — in MiB: what to reserve for each VM. 0 on a platform without VMs.
 *
 * @public
 */
export function vmReservationMiB(ctx: ExperimentContext, platform: PlatformSpec, shape: ServiceShape): number {
  if (platform.isolation !== 'domains') return 0;
  // A probe VM with room to spare: what it ends up using is the answer.
  const probe = new ServiceHost(ctx, platform, shape, undefined, Math.ceil(shape.residentBytes / MIB) + 64);
  probe.add();
  probe.settle();
  probe.hv.runFor(3 * shape.periodNs);
  const frames = probe.kernelOf(0).frames;
  return Math.ceil(((frames.frames - frames.available) * FRAME_BYTES) / MIB);
}
