import { type GuestPhysicalMap, GuestPhysicalMapToken, Machine, PagedMemory, inject, injectable, optional, type Gfn, type Vcpu } from '@visorkit/core';

/**
 * Bare-metal memory: the guest kernel's page-table stores go straight to memory (one
 * `pteWrite` each), the hardware walks those tables on a TLB miss, and the TLB is untagged,
 * so loading a new page-table base flushes it. All of it is core's {@link PagedMemory} with
 * machine-format tables and no tags: bare metal is what the base does.
 *
 * Guest frames are populated lazily from machine RAM on first use, so host memory grows with
 * what guests touch. Tables hold machine frame numbers (as the hardware needs); the guest's
 * frame numbers are converted on store and converted back on read, through an m2p map.
 *
 * @public
 */
@injectable()
export class NativeMemory extends PagedMemory {
  constructor(@inject(Machine) machine: Machine, @inject(GuestPhysicalMapToken) @optional() map?: GuestPhysicalMap) {
    super(machine, map, { frames: 'machine', tagged: false });
  }

  /** The machine frame behind guest frame `frame`, populated if needed (device DMA targets). */
  populatedFrame(vcpu: Vcpu, frame: Gfn): number {
    return this.populate(vcpu, frame);
  }
}
