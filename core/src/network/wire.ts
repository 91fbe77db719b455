import type { Hypervisor } from '../composition/hypervisor.js';
import { InvalidArgumentError } from '../errors/visorkit-error.js';
import type { NetFrame } from './network-backend.js';

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
 *
 * @public
 */
export function connectMachines(a: Hypervisor, b: Hypervisor): NetworkSwitch {
  const wire = new NetworkSwitch();
  wire.connect(a);
  wire.connect(b);
  return wire;
}

/**
 * The broadcast address: a frame to it (a gratuitous ARP) only teaches switches where its source lives.
 *
 * @public
 */
export const BROADCAST_ADDRESS = '255.255.255.255';

/**
 * A learning switch joining any number of machines' NICs: a frame leaving one machine for an
 * address none of its interfaces own goes, after that NIC's serialisation and the link's
 * latency, to the machine that last sent from that address (if it still owns it), otherwise
 * to whichever other machine owns it. So when a migrated domain re-attaches its address on
 * its new machine and announces it (the gratuitous ARP a Linux guest sends on resume),
 * traffic follows it at once, even while the old machine still holds the suspended copy.
 * Frames for an address nobody owns are dropped and counted.
 *
 * ```ts
 * const sw = new NetworkSwitch();
 * for (const hv of [source, target, clients]) sw.connect(hv);
 * ```
 *
 * @public
 */
export class NetworkSwitch {
  readonly #machines: Hypervisor[] = [];
  /** Where each address was last seen sending from. */
  readonly #learned = new Map<string, Hypervisor>();
  /** Frames no machine would take. */
  dropped = 0;

  /** Plugs `hv`'s NIC into the switch (all machines must share one simulator). */
  connect(hv: Hypervisor): void {
    if (this.#machines.length > 0 && this.#machines[0]!.sim !== hv.sim)
      throw new InvalidArgumentError('machines', 'every machine on a switch must share one simulator');
    if (hv.network.connectUplink === undefined || hv.network.receiveFromWire === undefined || hv.network.owns === undefined) {
      throw new InvalidArgumentError('machines', `'${hv.name}''s network back end cannot be wired to a switch`);
    }
    this.#machines.push(hv);
    hv.network.connectUplink((frame, now) => {
      const recorder = hv.machine.recorder;
      if (recorder !== undefined) recorder.onWire('out', frame.source, frame.destination, frame.bytes);
      hv.machine.nicLink.send(frame.bytes, () => this.#forward(hv, frame), now);
    });
  }

  /** Hands a frame off the wire to `to`'s NIC (recorded on `to`'s recorder). */
  #deliver(to: Hypervisor, frame: NetFrame): void {
    const recorder = to.machine.recorder;
    if (recorder !== undefined) recorder.onWire('in', frame.source, frame.destination, frame.bytes);
    to.network.receiveFromWire!(frame);
  }

  #forward(from: Hypervisor, frame: NetFrame): void {
    if (this.#learned.get(frame.source) !== from) this.#learned.set(frame.source, from);
    if (frame.destination === BROADCAST_ADDRESS) return;
    const learned = this.#learned.get(frame.destination);
    if (learned !== undefined && learned !== from && learned.network.owns!(frame.destination)) {
      this.#deliver(learned, frame);
      return;
    }
    for (const m of this.#machines) {
      if (m !== from && m.network.owns!(frame.destination)) {
        this.#deliver(m, frame);
        return;
      }
    }
    this.dropped++;
  }
}
