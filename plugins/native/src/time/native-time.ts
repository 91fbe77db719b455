import { IoEvents, Machine, Simulator, SimulatedTimeKeeping, inject, injectable } from '@visorkit/core';

/**
 * Time on bare metal: the machine clock, the domain's run time, and a wall clock from boot;
 * reading them costs a register read, so nothing beyond the reference behaviour.
 *
 * @public
 */
@injectable()
export class NativeTime extends SimulatedTimeKeeping {
  constructor(@inject(Simulator) sim: Simulator, @inject(Machine) machine: Machine, @inject(IoEvents) events: IoEvents) {
    super(sim, machine, events);
  }
}
