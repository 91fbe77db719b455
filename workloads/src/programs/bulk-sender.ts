import { CostCategory, type BurstExit, type Hypervisor, type Vcpu, type VcpuProgram } from '@visorkit/core';

/**
 * Bulk transfer with a fixed window: sends `frameBytes` frames to `destination` while fewer
 * than `window` are unacknowledged, blocks when the window is full, and is woken as frames
 * arrive (the receiver's delivery stands for its acknowledgement). Throughput is then set by
 * whichever is slower: the sender's per-frame CPU path or the link.
 *
 * @public
 */
export class BulkSender implements VcpuProgram {
  inFlight = 0;
  sent = 0;
  delivered = 0;
  #vcpu: Vcpu | undefined;

  constructor(
    readonly hv: Hypervisor,
    readonly iface: number,
    readonly source: string,
    readonly destination: string,
    readonly frameBytes: number,
    readonly window: number,
    /** Cycles the application spends producing each frame's payload. */
    readonly appCyclesPerFrame: number,
  ) {}

  /** The receiver got a frame: one slot of the window frees up. */
  acknowledge(): void {
    this.inFlight--;
    this.delivered++;
    // Always ask: a wake that arrives mid-burst is kept by the runner until the burst ends.
    if (this.#vcpu !== undefined) this.hv.runner.wake(this.#vcpu);
  }

  run(vcpu: Vcpu, budget: number): BurstExit {
    this.#vcpu = vcpu;
    while (vcpu.burstCycles < budget) {
      if (this.inFlight >= this.window) return 'blocked';
      vcpu.charge(CostCategory.GuestUser, this.appCyclesPerFrame);
      this.hv.cpu.systemCall(vcpu);
      this.hv.network.transmit(vcpu, this.iface, { source: this.source, destination: this.destination, bytes: this.frameBytes });
      this.inFlight++;
      this.sent++;
    }
    return 'budget';
  }
}
