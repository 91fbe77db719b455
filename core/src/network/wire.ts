import type { Hypervisor } from '../composition/hypervisor.js';
import { InvalidArgumentError } from '../errors/visorkit-error.js';

/**
 * Connects two machines' NICs with a wire (a switch port each): a frame one machine's
 * interfaces address to the other's leaves through the sender's NIC (serialisation at the
 * NIC's speed plus the link's latency, from the profile) and enters the other machine's
 * receive path. Both hypervisors must run on one simulator (`createHypervisor`'s
 * `simulator` option) so time is shared. Used to put clients on another machine.
 *
 * ```ts
 * const sim = new Simulator();
 * const server = createHypervisor({ machine: server2007, plugins: [xenPvPlugin], options: { simulator: sim } });
 * const clients = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { simulator: sim } });
 * connectMachines(server, clients);
 * ```
 */
export function connectMachines(a: Hypervisor, b: Hypervisor): void {
  if (a.sim !== b.sim) throw new InvalidArgumentError('machines', 'both hypervisors must share one simulator to be wired together');
  for (const hv of [a, b]) {
    if (hv.network.connectUplink === undefined || hv.network.receiveFromWire === undefined) {
      throw new InvalidArgumentError('machines', `'${hv.name}''s network back end cannot be wired to another machine`);
    }
  }
  a.network.connectUplink!((frame, now) => a.machine.nicLink.send(frame.bytes, () => b.network.receiveFromWire!(frame), now));
  b.network.connectUplink!((frame, now) => b.machine.nicLink.send(frame.bytes, () => a.network.receiveFromWire!(frame), now));
}
