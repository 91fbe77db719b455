import {
  CostCategory,
  EventChannels,
  MechanismIndex,
  domainId,
  type Domain,
  type DomainId,
  type GuestTransitions,
  type Machine,
  type Vcpu,
} from '@visorkit/core';
import { XEN_IO_INSTRUCTIONS, ioCycles } from './xen-io-costs.js';
import type { XenIoOptions } from './xen-io-options.js';

/**
 * `__HYPERVISOR_event_channel_op` (Xen's public `xen.h`): a guest's `EVTCHNOP_send`.
 *
 * @public
 */
export const HYPERCALL_EVENT_CHANNEL_OP = 32;

/** The domain id back ends run as when they live in Xen itself. */
const XEN_BACKEND: DomainId = domainId(0);

/** What a split device's notifications reach. */
export interface SplitEndpoint {
  /** The back end was notified: process its ring. */
  backendNotified(): void;
  /** The front end was notified: the guest takes its responses. */
  frontendNotified(): void;
}

/**
 * The event-channel plumbing and cost charging every split device shares: a pair of
 * interdomain ports per device, a guest → back-end notification that costs an
 * `event_channel_op` hypercall, and a back-end → guest upcall whose cost the guest owes.
 */
export class SplitDeviceChannels {
  readonly channels: EventChannels;
  readonly #endpoints = new Map<string, SplitEndpoint>();

  constructor(
    readonly machine: Machine,
    readonly options: XenIoOptions,
    readonly transitions: GuestTransitions,
  ) {
    this.channels = new EventChannels((domain, port) => this.#upcall(domain, port));
    // One number for every split device (network and block each have their channels).
    if (transitions.hypercalls.nameOf(HYPERCALL_EVENT_CHANNEL_OP) === undefined)
      transitions.hypercalls.register(HYPERCALL_EVENT_CHANNEL_OP, 'event_channel_op', () => 0);
  }

  /** Binds a device's pair of ports; returns the guest's port and the back end's. */
  bind(guest: Domain, endpoint: SplitEndpoint): { guestPort: number; backendPort: number } {
    const { localPort, remotePort } = this.channels.bindInterdomain(guest.id, XEN_BACKEND);
    this.#endpoints.set(`${guest.id}:${localPort}`, endpoint);
    this.#endpoints.set(`b:${remotePort}`, endpoint);
    return { guestPort: localPort, backendPort: remotePort };
  }

  /** The guest notifies the back end: an event_channel_op hypercall, through core's transition path. */
  notifyBackend(vcpu: Vcpu, guestPort: number): void {
    this.transitions.hypercall(vcpu, HYPERCALL_EVENT_CHANNEL_OP);
    vcpu.count(MechanismIndex.RingNotification);
    vcpu.count(MechanismIndex.EventChannelNotify);
    this.channels.notify(vcpu.domain.id, guestPort);
  }

  /** The back end notifies the guest. */
  notifyFrontend(backendPort: number): void {
    this.channels.notify(XEN_BACKEND, backendPort);
  }

  /** Work the back end did for `guest`: owed by its first vCPU, as hypervisor or Dom0 time. */
  chargeBackend(guest: Domain, cycles: number): void {
    const category = this.options.backend === 'xen' ? CostCategory.Hypervisor : CostCategory.ControlDomain;
    guest.vcpus[0]!.defer(category, cycles);
  }

  #upcall(domain: DomainId, port: number): void {
    // The handler clears the pending bit first (as a Xen guest's evtchn handler does), so
    // notifications after this one are delivered rather than coalesced into it.
    this.channels.clearPending(domain, port);
    if (domain === XEN_BACKEND && this.#endpoints.has(`b:${port}`)) {
      this.#endpoints.get(`b:${port}`)!.backendNotified();
      return;
    }
    const endpoint = this.#endpoints.get(`${domain}:${port}`);
    if (endpoint === undefined) return;
    endpoint.frontendNotified();
  }

  /** Charges the guest for one event upcall. */
  chargeUpcall(guest: Domain): void {
    const vcpu = guest.vcpus[0]!;
    vcpu.defer(CostCategory.GuestKernel, this.machine.profile.costs.interruptDelivery + ioCycles(this.machine.profile, XEN_IO_INSTRUCTIONS.upcall));
    vcpu.count(MechanismIndex.Interrupt);
  }
}
