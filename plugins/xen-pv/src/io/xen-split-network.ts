import { XEN_PV_FITTED } from '../calibration.js';
import {
  CostCategory,
  DomainTable,
  GuestTransitions,
  GuestRequestError,
  HypercallTable,
  IoEvents,
  InterfaceTable,
  Machine,
  MechanismIndex,
  Mechanisms,
  MemoryVirtualization,
  NIC_DRIVER_INSTRUCTIONS,
  nicTransmitCycles,
  createIoRing,
  inject,
  injectable,
  type Domain,
  type FrameHandler,
  type IoRing,
  type NetFrame,
  type Uplink,
  type NetInterface,
  type NetworkBackend,
  type RingRequest,
  type RingResponse,
  type Vcpu,
  gfn,
} from '@visorkit/core';
import { DOM0 } from '../control/dom0.js';
import { SplitDeviceChannels, type SplitEndpoint } from './split-device.js';
import { VirtualFirewallRouter, type VfrRule } from './virtual-firewall-router.js';
import { XEN_IO_INSTRUCTIONS, ioCycles } from './xen-io-costs.js';
import { XenIoOptions } from './xen-io-options.js';

/**
 * The VFR control hypercall's number (Dom0 only). Outside Xen's public numbering on purpose.
 *
 * @public
 */
export const HYPERCALL_VFR_OP = 48;

interface TxRequest extends RingRequest {
  readonly bytes: number;
}
interface TxResponse extends RingResponse {
  readonly status: 'ok' | 'dropped' | 'bad-descriptor';
}
interface RxRequest extends RingRequest {
  /** The guest frame posted as a receive buffer. */
  readonly buffer: number;
}
interface RxResponse extends RingResponse {
  readonly bytes: number;
}

/** One virtual interface: its rings, ports, and frames in flight. */
class Vif implements SplitEndpoint {
  readonly tx: IoRing<TxRequest, TxResponse>;
  readonly rx: IoRing<RxRequest, RxResponse>;
  guestPort = 0;
  backendPort = 0;
  nextId = 0;
  backendScheduled = false;
  /** Frames whose tx request is in the ring, by request id (the ring carries descriptors, not data). */
  readonly inFlight = new Map<number, NetFrame>();
  /** Received frames waiting for the guest to take their responses. */
  readonly arrived = new Map<number, NetFrame>();

  constructor(
    readonly net: XenSplitNetwork,
    readonly iface: NetInterface,
    ringSize: number,
  ) {
    this.tx = createIoRing<TxRequest, TxResponse>(ringSize);
    this.rx = createIoRing<RxRequest, RxResponse>(ringSize);
  }

  backendNotified(): void {
    this.net.scheduleBackend(this);
  }

  frontendNotified(): void {
    this.net.frontendUpcall(this);
  }
}

/**
 * Xen's network split driver (Xen paper §3.3, seed "Network"): each domain interface has a
 * transmit and a receive I/O ring. To send, the guest enqueues a buffer descriptor pointing
 * at its own pages and notifies Xen through an event channel (suppressed while the back end
 * is still draining); the back end checks every descriptor's frames belong to the sender,
 * runs the virtual firewall-router (rules only Dom0 installs, anti-spoofing always), and the
 * NIC DMAs the pages by scatter-gather — no copy. To receive, the guest posts free pages;
 * the back end flips the page holding the packet into the guest (or copies, as an option)
 * and notifies it. Every frame is delivered or counted as dropped.
 *
 * @public
 */
@injectable()
export class XenSplitNetwork implements NetworkBackend {
  readonly #interfaces = new InterfaceTable();
  readonly #vifs: Vif[] = [];
  readonly vfr = new VirtualFirewallRouter();
  readonly #devices: SplitDeviceChannels;
  readonly #ringFull: number;
  readonly #rxNoBuffer: number;
  readonly #flips: number;

  constructor(
    @inject(Machine) readonly machine: Machine,
    @inject(MemoryVirtualization) readonly memory: MemoryVirtualization,
    @inject(XenIoOptions) readonly options: XenIoOptions,
    @inject(HypercallTable) hypercalls: HypercallTable,
    @inject(DomainTable) readonly domains: DomainTable,
    @inject(Mechanisms) mechanisms: Mechanisms,
    @inject(IoEvents) readonly events: IoEvents,
    @inject(GuestTransitions) readonly transitions: GuestTransitions,
  ) {
    this.#devices = new SplitDeviceChannels(machine, options, transitions);
    this.#ringFull = mechanisms.register('ring-full');
    this.#rxNoBuffer = mechanisms.register('rx-no-buffer');
    this.#flips = mechanisms.register('page-flip');
    hypercalls.register(HYPERCALL_VFR_OP, 'vfr_op', () => 0, 'control-domain', DOM0);
  }

  get dropped(): number {
    return this.#interfaces.dropped;
  }

  /**
   * Installs a VFR rule on behalf of `vcpu`'s domain: only Dom0 may (a guest gets a typed
   * PrivilegeViolationError, counted, and the rules stay as they were).
   */
  installRule(vcpu: Vcpu, rule: VfrRule): void {
    // Core's transition path checks the privilege (the hypercall is registered Dom0-only), charges and traces it.
    this.transitions.hypercall(vcpu, HYPERCALL_VFR_OP);
    this.vfr.install(rule);
  }

  attachInterface(domain: Domain, address: string, receive: FrameHandler): number {
    const iface = this.#interfaces.attach(domain, address, receive);
    const vif = new Vif(this, iface, this.options.ringSize);
    const ports = this.#devices.bind(domain, vif);
    vif.guestPort = ports.guestPort;
    vif.backendPort = ports.backendPort;
    // The guest's netfront posts a full ring of receive buffers from its top frames.
    const top = this.memory.frames(domain) - 1;
    for (let i = 0; i < this.options.ringSize; i++) vif.rx.front.pushRequest({ id: i, buffer: top - i });
    vif.rx.front.pushRequests();
    vif.nextId = 0;
    this.#vifs[iface.index] = vif;
    return iface.index;
  }

  domainDestroyed(domain: Domain): void {
    this.#interfaces.detach(domain);
  }

  transmit(vcpu: Vcpu, index: number, frame: NetFrame): void {
    this.#interfaces.own(vcpu, index);
    const vif = this.#vifs[index]!;
    const p = this.machine.profile;
    const front = vif.tx.front;
    // Recycle completed slots first (the netfront's tx-completion handling).
    while (front.hasUnconsumedResponses()) {
      front.takeResponse();
      vcpu.charge(CostCategory.GuestKernel, ioCycles(p, XEN_IO_INSTRUCTIONS.frontResponse));
    }
    if (front.full()) {
      // Back-pressure: the ring refuses; the frame is counted as dropped, nothing overwritten.
      vcpu.count(this.#ringFull);
      this.#interfaces.drop(vcpu);
      return;
    }
    const id = vif.nextId++ >>> 0;
    const buffers = frame.buffers ?? [];
    front.pushRequest({ id, bytes: frame.bytes, segments: buffers.map((page) => ({ gfn: gfn(page), offset: 0, length: Math.min(4096, frame.bytes) })) });
    vif.inFlight.set(id, frame);
    vcpu.charge(CostCategory.GuestKernel, ioCycles(p, XEN_IO_INSTRUCTIONS.frontRequest));
    vcpu.count(MechanismIndex.RingRequest);
    vcpu.count(MechanismIndex.PacketSent);
    if (this.events.ioObserved)
      this.events.emitIo({ time: vcpu.now(), domainId: vcpu.domain.id, kind: 'ring-request', bytes: frame.bytes, detail: 'netif-tx' });
    if (front.pushRequestsAndCheckNotify()) this.#devices.notifyBackend(vcpu, vif.guestPort);
  }

  /** The back end was notified: drain the transmit ring soon (softirq/netback latency). */
  scheduleBackend(vif: Vif): void {
    if (vif.backendScheduled) return;
    vif.backendScheduled = true;
    this.machine.sim.schedule(1000, () => this.#drainTx(vif));
  }

  #drainTx(vif: Vif): void {
    vif.backendScheduled = false;
    const back = vif.tx.back;
    const p = this.machine.profile;
    const guest = vif.iface.domain;
    let work = 0;
    do {
      for (let req = back.takeRequest(); req !== undefined; req = back.takeRequest()) {
        work += ioCycles(p, XEN_IO_INSTRUCTIONS.backRequest + XEN_IO_INSTRUCTIONS.vfrMatch);
        const frame = vif.inFlight.get(req.id);
        vif.inFlight.delete(req.id);
        let status: TxResponse['status'] = 'ok';
        for (const seg of req.segments ?? []) {
          work += ioCycles(p, XEN_IO_INSTRUCTIONS.backSegment);
          if (!(seg.gfn >= 0 && seg.gfn < this.memory.frames(guest))) status = 'bad-descriptor';
        }
        if (frame === undefined || status !== 'ok') {
          this.#countAgainst(guest, MechanismIndex.PrivilegeViolation);
          this.#dropFor(guest);
        } else if (!this.vfr.admits(vif.iface.address, frame.source, frame.destination)) {
          status = 'dropped';
          this.#dropFor(guest);
        } else {
          // The back end drives the real NIC for the guest: the driver's transmit path.
          work += nicTransmitCycles(p);
          this.#route(frame, guest);
        }
        back.pushResponse({ id: req.id, status });
      }
      if (back.pushResponsesAndCheckNotify()) this.#devices.notifyFrontend(vif.backendPort);
    } while (back.finalCheckForRequests());
    this.#devices.chargeBackend(guest, work);
  }

  #route(frame: NetFrame, sender: Domain): void {
    const target = this.#interfaces.lookup(frame.destination);
    if (target === undefined) {
      this.#interfaces.forwardOrDrop(sender, frame, this.machine.sim.now);
      return;
    }
    this.machine.nicLink.send(frame.bytes, () => this.#receive(this.#vifs[target.index]!, frame));
  }

  connectUplink(uplink: Uplink): void {
    this.#interfaces.uplink = uplink;
  }

  owns(address: string): boolean {
    return this.#interfaces.owns(address);
  }

  /** From the wire: Dom0's driver takes the frame off the NIC, then netback delivers it. */
  receiveFromWire(frame: NetFrame): void {
    const target = this.#interfaces.lookup(frame.destination);
    if (target === undefined) return this.#interfaces.dropArrival();
    this.#receive(this.#vifs[target.index]!, frame);
  }

  /** A frame arrives for `vif`: take a posted buffer, flip or copy, notify the guest. */
  #receive(vif: Vif, frame: NetFrame): void {
    const back = vif.rx.back;
    const guest = vif.iface.domain;
    const p = this.machine.profile;
    const req = back.takeRequest();
    if (req === undefined) {
      this.#countAgainst(guest, this.#rxNoBuffer);
      this.#dropFor(guest);
      return;
    }
    // The real NIC's interrupt and receive path run in the back end before the flip or copy.
    let work = ioCycles(p, XEN_IO_INSTRUCTIONS.backRequest) + p.costs.interruptDelivery + NIC_DRIVER_INSTRUCTIONS.receive * p.cpu.kernelCpi;
    if (this.options.receive === 'flip') {
      // Exchange the packet's page with the posted one: ownership transfer, a validated
      // page-table update of the guest's mapping, and a TLB invalidation.
      work += ioCycles(p, XEN_IO_INSTRUCTIONS.flip) + ioCycles(p, XEN_PV_FITTED.value.validateEntry) + p.costs.pteWrite + p.costs.tlbInvalidatePage;
      this.#countAgainst(guest, this.#flips);
    } else {
      // Copy into the posted buffer: the cost of a page copy, pro rata of the bytes.
      work += (p.costs.pageCopy * frame.bytes) / 4096;
      this.#countAgainst(guest, MechanismIndex.PageCopy);
    }
    this.#devices.chargeBackend(guest, work);
    vif.arrived.set(req.id, frame);
    back.pushResponse({ id: req.id, bytes: frame.bytes });
    if (back.pushResponsesAndCheckNotify()) this.#devices.notifyFrontend(vif.backendPort);
  }

  /** The guest's event upcall: take responses (deliver received frames), re-post buffers. */
  frontendUpcall(vif: Vif): void {
    const guest = vif.iface.domain;
    const p = this.machine.profile;
    this.#devices.chargeUpcall(guest);
    const vcpu = guest.vcpus[0]!;
    const rx = vif.rx.front;
    for (let rsp = rx.takeResponse(); rsp !== undefined; rsp = rx.takeResponse()) {
      const frame = vif.arrived.get(rsp.id);
      vif.arrived.delete(rsp.id);
      vcpu.defer(CostCategory.GuestKernel, ioCycles(p, XEN_IO_INSTRUCTIONS.frontResponse + XEN_IO_INSTRUCTIONS.frontRequest));
      // Re-post the same buffer (after a flip the guest owns the new page at that frame).
      rx.pushRequest({ id: rsp.id, buffer: this.memory.frames(guest) - 1 - (rsp.id % this.options.ringSize) });
      if (frame !== undefined) this.#interfaces.deliver(vif.iface, frame);
    }
    rx.pushRequests();
    rx.finalCheckForResponses();
  }

  #dropFor(domain: Domain): void {
    this.#interfaces.dropped++;
    this.#countAgainst(domain, MechanismIndex.PacketDropped);
  }

  #countAgainst(domain: Domain, mechanism: number): void {
    domain.counts[mechanism] = domain.counts[mechanism]! + 1;
  }

  /** The guest-visible address of an interface (for tools). */
  addressOf(index: number): string {
    const vif = this.#vifs[index];
    if (vif === undefined) throw new GuestRequestError('xen', 'interface lookup', `no interface ${index}`);
    return vif.iface.address;
  }
}
