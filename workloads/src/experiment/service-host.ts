import { InvalidArgumentError, type Domain, type Hypervisor } from '@visorkit/core';
import { bootGuest, type GuestKernel } from '@visorkit/guest';
import { composeFor, type ExperimentContext, type PlatformSpec } from './experiment.js';
import { consolidatedService, type ServiceProgress, type ServiceShape } from '../programs/consolidated-service.js';

const MIB = 1 << 20;
const FRAME_BYTES = 4096;

/**
 * Service instances on one platform, placed as it isolates them: a VM each (its own kernel
 * and a fixed memory reservation), or processes — in contexts for a container platform — of
 * one kernel that holds all the machine's memory.
 */
export class ServiceHost {
  readonly hv: Hypervisor;
  readonly #progress: ServiceProgress[] = [];
  readonly #alive: (() => boolean)[] = [];
  readonly #domains: Domain[] = [];
  readonly #shared: GuestKernel | undefined;
  readonly #host: Domain | undefined;

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
      const memoryMiB = Math.floor((this.hv.unreservedFrames * FRAME_BYTES) / MIB);
      const host = this.hv.createDomain({ name: 'host', vcpus: this.hv.machine.pcpus.length, memoryMiB });
      this.#shared = bootGuest(this.hv, host);
      this.#host = host;
    }
  }

  get count(): number {
    return this.#progress.length;
  }

  get started(): number {
    let n = 0;
    for (const p of this.#progress) if (p.started) n++;
    return n;
  }

  get alive(): number {
    let n = 0;
    for (const a of this.#alive) if (a()) n++;
    return n;
  }

  get requests(): number {
    let n = 0;
    for (const p of this.#progress) n += p.requests;
    return n;
  }

  /** Requests instance `index` has served so far. */
  requestsOf(index: number): number {
    return this.#progress[index]!.requests;
  }

  /** The domain instance `index` runs in (one for all of them with a shared kernel). */
  domainOf(index: number): Domain {
    return this.#domains[index]!;
  }

  /** Guest frames in use in all kernels. */
  get framesUsed(): number {
    if (this.#shared !== undefined) return this.#shared.frames.frames - this.#shared.frames.available;
    return this.#progress.length * Math.round((this.reservationMiB * MIB) / FRAME_BYTES);
  }

  /** Starts one more instance; false when the platform refused it (no memory left to reserve). */
  add(): boolean {
    const index = this.#progress.length;
    const progress: ServiceProgress = { started: false, requests: 0 };
    const program = consolidatedService(progress, this.shape);
    if (this.#shared !== undefined) {
      const kernel = this.#shared;
      const path = `/srv/service${index}`;
      kernel.install(path, { program, textPages: 16, dataPages: 4, bssPages: 8, libraries: ['/lib/libc.so'] });
      // A container platform puts each instance in its own context; one OS runs them as its processes.
      const pid = kernel.spawn(path, this.platform.isolation === 'contexts' ? index + 1 : 0);
      const host = this.#host!;
      this.#alive.push(() => host.state === 'running' && kernel.processes.has(pid));
      this.#domains.push(host);
    } else {
      let domain;
      try {
        domain = this.hv.createDomain({ name: `service${index}`, memoryMiB: this.reservationMiB });
      } catch (e) {
        // The hypervisor partitions memory: once it is all reserved, another VM is refused.
        if (e instanceof InvalidArgumentError && e.what === 'memoryMiB') return false;
        throw e;
      }
      const kernel = bootGuest(this.hv, domain, { programs: { '/srv/service': { program } }, run: ['/srv/service'] });
      const d = domain;
      this.#alive.push(() => d.state === 'running' && kernel.processes.size > 0);
      this.#domains.push(domain);
    }
    this.#progress.push(progress);
    return true;
  }

  /**
   * Runs until every instance has its memory resident, or one died waiting to. Checks one
   * instance per event (the first not yet started), so waiting costs O(1) per event.
   */
  settle(): void {
    let next = 0;
    this.hv.runWhile(() => {
      while (next < this.#progress.length && this.#progress[next]!.started) next++;
      return next < this.#progress.length && this.#alive[next]!();
    });
  }
}

