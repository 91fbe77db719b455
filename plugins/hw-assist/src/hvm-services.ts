import { IoEvents, Machine, ProportionalShareScheduler, SimulatedTimeKeeping, Simulator, inject, injectable } from '@visorkit/core';

/**
 * vCPUs are host threads: the host kernel's proportional-share scheduler runs them (as KVM
 * vCPUs run under Linux CFS).
 *
 * @public
 */
@injectable()
export class HostThreadScheduler extends ProportionalShareScheduler {
  constructor() {
    super(6, 0.75);
  }
}

/**
 * Guest time under VT-x: the TSC runs natively with an offset, so reading time costs what
 * it costs on bare metal; alarms are the host's timers.
 *
 * @public
 */
@injectable()
export class HvmTime extends SimulatedTimeKeeping {
  constructor(@inject(Simulator) sim: Simulator, @inject(Machine) machine: Machine, @inject(IoEvents) events: IoEvents) {
    super(sim, machine, events);
  }
}
