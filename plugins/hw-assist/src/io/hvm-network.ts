import {
  CostCategory,
  CpuEvents,
  GuestTransitions,
  IoEvents,
  InterfaceTable,
  InvalidArgumentError,
  Machine,
  MechanismIndex,
  nicTransmitCycles,
  oweNicReceive,
  type DeviceAssignment,
  type Gfn,
  type Mfn,
  Mechanisms,
  inject,
  injectable,
  createIoRing,
  type Domain,
  type IoRing,
  type RingRequest,
  type RingResponse,
  type FrameHandler,
  type NetFrame,
  type Uplink,
  type NetInterface,
  type NetworkBackend,
  type Vcpu,
  gfn,
} from '@visorkit/core';
import { HW_ASSIST_PATH } from '../hw-assist-path-lengths.js';
import { HwAssistOptions } from '../hw-assist-options.js';
import { HvmMemory } from '../memory/hvm-memory.js';

/** A transmit descriptor in a VF's ring: buffers by guest frame (scatter-gather). */
interface VfDescriptor extends RingRequest {}
/** The device's completion of a descriptor. */
interface VfCompletion extends RingResponse {
  readonly ok: boolean;
}

/**
 * Guest networking under hardware assistance. With `io: 'sriov'` each domain gets one of the
 * NIC's virtual functions: its driver owns the VF's descriptor rings, the device DMAs
 * through the IOMMU (which confines the VF to its domain's memory), and no hypervisor is on
 * the data path; interrupts arrive by exit or posted. With `io: 'virtio'` frames cross a
 * paravirtual ring: the guest kicks the host (a VM exit, suppressed while the host is still
 * draining the ring), and the host back end copies each frame.
 *
 * @public
 */
@injectable()
export class HvmNetwork implements NetworkBackend, DeviceAssignment {
  readonly #interfaces = new InterfaceTable();
  readonly #sriov: boolean;
  readonly #posted: boolean;
  readonly #iommuFault: number;
  #virtualFunctionsInUse = 0;
  #nextDescriptor = 0;
  /** Domains whose interfaces use an SR-IOV virtual function (others use virtio), with the VF's transmit descriptor ring. */
  readonly #withVf = new Map<Domain, IoRing<VfDescriptor, VfCompletion>>();
  /** Per domain: simulated time until which the host back end is busy draining its ring. */
  readonly #hostBusyUntil: number[] = [];

  constructor(
    @inject(Machine) readonly machine: Machine,
    @inject(HvmMemory) readonly memory: HvmMemory,
    @inject(HwAssistOptions) options: HwAssistOptions,
    @inject(CpuEvents) readonly cpuEvents: CpuEvents,
    @inject(GuestTransitions) readonly transitions: GuestTransitions,
    @inject(IoEvents) readonly events: IoEvents,
    @inject(Mechanisms) mechanisms: Mechanisms,
  ) {
    this.#sriov = options.io === 'sriov';
    this.#posted = options.interrupts === 'posted';
    this.#iommuFault = mechanisms.register('iommu-fault');
    if (this.#sriov && (machine.profile.nic.sriovVirtualFunctions === 0 || !machine.profile.nic.iommu)) {
      throw new InvalidArgumentError('machine profile', `'${machine.profile.name}' has no SR-IOV NIC with an IOMMU: use hw-assist with { io: 'virtio' }`);
    }
  }

  get dropped(): number {
    return this.#interfaces.dropped;
  }

  /** Virtual functions assigned so far. */
  get virtualFunctionsInUse(): number {
    return this.#virtualFunctionsInUse;
  }

  attachInterface(domain: Domain, address: string, receive: FrameHandler): number {
    if (this.#sriov) {
      if (this.#virtualFunctionsInUse >= this.machine.profile.nic.sriovVirtualFunctions) {
        throw new InvalidArgumentError(
          'network interface',
          `all ${this.machine.profile.nic.sriovVirtualFunctions} SR-IOV virtual functions are assigned; '${domain.name}' gets none`,
        );
      }
      this.#virtualFunctionsInUse++;
      this.#withVf.set(domain, createIoRing<VfDescriptor, VfCompletion>(256));
    }
    return this.#interfaces.attach(domain, address, receive).index;
  }

  domainDestroyed(domain: Domain): void {
    this.#interfaces.detach(domain);
    this.fallBackToParavirtual(domain);
  }

  assignedDevices(domain: Domain): number {
    return this.#withVf.has(domain) ? 1 : 0;
  }

  /** The IOMMU's translation for the domain's assigned function (the memory model's p2m, range-checked). */
  iommuTranslate(domain: Domain, gfn: Gfn): Mfn {
    return this.memory.iommuTranslate(domain, gfn);
  }

  /** Hot-unplugs the domain's VF: its interface carries on over virtio rings. */
  fallBackToParavirtual(domain: Domain): void {
    if (this.#withVf.delete(domain)) this.#virtualFunctionsInUse--;
  }

  transmit(vcpu: Vcpu, iface: number, frame: NetFrame): void {
    const own = this.#interfaces.own(vcpu, iface);
    const profile = this.machine.profile;
    vcpu.charge(CostCategory.GuestKernel, nicTransmitCycles(profile));
    vcpu.count(MechanismIndex.PacketSent);
    const ring = this.#withVf.get(vcpu.domain);
    if (ring !== undefined) {
      // The guest's driver writes a descriptor into its VF's own ring and rings the doorbell
      // (a device register mapped into the guest: no exit); the device takes the descriptor
      // and DMAs the buffers through the IOMMU, which faults on a frame outside the domain.
      ring.front.pushRequest({
        id: this.#nextDescriptor++ >>> 0,
        segments: (frame.buffers ?? []).map((page) => ({ gfn: gfn(page), offset: 0, length: Math.min(4096, frame.bytes) })),
      });
      ring.front.pushRequests();
      const descriptor = ring.back.takeRequest()!;
      let faulted = false;
      for (const seg of descriptor.segments ?? []) if (this.memory.iommuTranslate(vcpu.domain, seg.gfn) < 0) faulted = true;
      ring.back.pushResponse({ id: descriptor.id, ok: !faulted });
      ring.back.pushResponses();
      while (ring.front.takeResponse() !== undefined);
      if (faulted) {
        vcpu.count(this.#iommuFault);
        this.#interfaces.drop(vcpu);
        return;
      }
    } else {
      this.#kick(vcpu);
      vcpu.charge(CostCategory.Hypervisor, HW_ASSIST_PATH.value.vhostNet * profile.cpu.kernelCpi + this.#copyCycles(frame.bytes));
    }
    if (this.events.ioObserved)
      this.events.emitIo({ time: vcpu.now(), domainId: vcpu.domain.id, kind: 'packet', bytes: frame.bytes, detail: `${frame.source}>${frame.destination}` });
    const target = this.#interfaces.lookup(frame.destination);
    if (target === undefined) {
      this.#interfaces.forwardOrDrop(vcpu.domain, frame, vcpu.now());
      return;
    }
    if (target === own) this.#receive(target, frame);
    else this.machine.nicLink.send(frame.bytes, () => this.#receive(target, frame), vcpu.now());
  }

  connectUplink(uplink: Uplink): void {
    this.#interfaces.uplink = uplink;
  }

  owns(address: string): boolean {
    return this.#interfaces.owns(address);
  }

  receiveFromWire(frame: NetFrame): void {
    const target = this.#interfaces.lookup(frame.destination);
    if (target === undefined) return this.#interfaces.dropArrival();
    this.#receive(target, frame);
  }

  /** A frame arrives for `target`: the receive work is owed by the domain's first vCPU. */
  #receive(target: NetInterface, frame: NetFrame): void {
    const vcpu = target.domain.vcpus[0]!;
    const profile = this.machine.profile;
    if (!this.#withVf.has(target.domain))
      vcpu.defer(CostCategory.Hypervisor, HW_ASSIST_PATH.value.vhostNet * profile.cpu.kernelCpi + this.#copyCycles(frame.bytes));
    // The receive interrupt: an exit the vCPU owes unless interrupts are posted.
    if (!this.#posted) this.transitions.owedVmExit(vcpu, 'net-receive');
    oweNicReceive(target.domain, profile);
    this.#interfaces.deliver(target, frame);
  }

  /** A virtio kick: exits unless the host is still draining this domain's ring (event-idx suppression). */
  #kick(vcpu: Vcpu): void {
    const now = vcpu.now();
    if ((this.#hostBusyUntil[vcpu.domain.id] ?? 0) > now) return;
    this.transitions.vmExit(vcpu, 'virtio-kick', 600 * this.machine.profile.cpu.kernelCpi);
    // The host drains for about one back-end pass; kicks meanwhile are suppressed.
    this.#hostBusyUntil[vcpu.domain.id] = now + HW_ASSIST_PATH.value.vhostNet * this.machine.profile.cpu.kernelCpi * this.machine.nsPerCycle * 4;
  }

  #copyCycles(bytes: number): number {
    const p = this.machine.profile;
    return (bytes / (p.memory.bandwidthGBps * 1e9)) * 1e9 * p.cpu.clockGhz;
  }
}
