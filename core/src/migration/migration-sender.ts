import { CostCategory } from '../accounting/cost-category.js';
import type { Hypervisor } from '../composition/hypervisor.js';
import type { Domain } from '../domain/domain.js';
import type { BurstExit, Vcpu, VcpuProgram } from '../domain/vcpu.js';
import { InvalidArgumentError } from '../errors/visorkit-error.js';
import type { Gfn } from '../units/units.js';

/**
 * The sending side of a migration as a process of the source's control domain (Xen's save
 * tool in Dom0): the CPU work of mapping the guest's pages and pushing them into a socket,
 * charged to a vCPU that the source's scheduler shares with the guests. On a machine with
 * one CPU in use the save tool's work slows the guest it moves, and a busy guest slows it.
 *
 * @public
 */
export interface MigrationSenderSpec {
  /** A control domain on the source, created but not started; the sender runs on its first vCPU. */
  readonly domain: Domain;
  /** Cycles per page sent (map it, copy it into the socket, its share of TCP/IP segments). */
  readonly cyclesPerPage: number;
  /** Cycles per batch (the batched map hypercall, the write system call). */
  readonly cyclesPerBatch: number;
}

/**
 * Runs a migration's page work on the sender's vCPU: {@link submit} hands it a batch; it
 * copies the pages as its bursts allow and calls back at the simulated time it finished.
 *
 * @public
 */
export class MigrationSender implements VcpuProgram {
  #batch: readonly Gfn[] = [];
  #next = 0;
  #batchCharged = false;
  #onDone: (() => void) | undefined;
  #vcpu: Vcpu | undefined;

  constructor(
    readonly source: Hypervisor,
    readonly spec: MigrationSenderSpec,
    /** Sends one page; false when it was skipped (nothing to charge). */
    readonly send: (gfn: Gfn) => boolean,
  ) {
    if (!spec.domain.isControl) throw new InvalidArgumentError('migration sender', `'${spec.domain.name}' is not the source's control domain`);
    if (!(spec.cyclesPerPage >= 0) || !(spec.cyclesPerBatch >= 0)) throw new InvalidArgumentError('migration sender', 'costs must be non-negative');
  }

  /** Starts the sender's domain (once). */
  start(): void {
    if (this.#vcpu !== undefined) return;
    this.#vcpu = this.spec.domain.vcpus[0]!;
    this.source.start(this.spec.domain, (v) => (v === this.#vcpu ? this : IDLE));
  }

  /** Sends `pages`; `done` runs when the last one has been pushed. */
  submit(pages: readonly Gfn[], done: () => void): void {
    this.#batch = pages;
    this.#next = 0;
    this.#batchCharged = false;
    this.#onDone = done;
    this.source.runner.wake(this.#vcpu!);
  }

  run(vcpu: Vcpu, budgetCycles: number): BurstExit {
    const done = this.#onDone;
    if (done === undefined) return 'blocked';
    if (!this.#batchCharged) {
      vcpu.charge(CostCategory.GuestKernel, this.spec.cyclesPerBatch);
      this.#batchCharged = true;
    }
    while (this.#next < this.#batch.length && vcpu.burstCycles < budgetCycles) {
      if (this.send(this.#batch[this.#next++]!)) vcpu.charge(CostCategory.GuestKernel, this.spec.cyclesPerPage);
    }
    if (this.#next < this.#batch.length) return 'budget';
    this.#onDone = undefined;
    // Finished within this burst: the rest of the save loop continues at that instant.
    this.source.sim.scheduleAt(Math.max(this.source.sim.now, vcpu.now()), done);
    return 'blocked';
  }
}

/** The control domain's other vCPUs have nothing to do. */
const IDLE: VcpuProgram = { run: () => 'halted' };
