import {
  HypervisorFacade,
  InvalidArgumentError,
  MemoryVirtualization,
  UnsupportedCapabilityError,
  inject,
  injectable,
  serviceToken,
  type Domain,
  type DomainSpec,
  type Hypervisor,
  type ServiceToken,
} from '@visorkit/core';
import { DOM0 } from './dom0.js';
import { XenSplitBlock, type Extent } from '../io/xen-split-block.js';
import { XenSplitNetwork } from '../io/xen-split-network.js';
import type { VfrRule } from '../io/virtual-firewall-router.js';
import { XenPvMemory } from '../memory/xen-pv-memory.js';
import { XEN_PATH } from '../xen-pv-path-lengths.js';

/**
 * Xen 3's `__HYPERVISOR_domctl` (Xen 1.x called it `dom0_op`).
 *
 * @public
 */
export const HYPERCALL_DOMCTL = 36;

/**
 * Called with a domain's new memory target, in frames (a xenstore watch on `memory/target`).
 *
 * @public
 */
export type MemoryTargetWatcher = (frames: number) => void;

/**
 * Xen's control interface, as Dom0's tools use it: create, destroy, pause and unpause
 * domains, set a domain's memory (its balloon target), install firewall-router rules and set
 * virtual block devices' extents. Every operation is a `domctl`-style hypercall made by the
 * calling domain: from anything but the control domain it is refused with a typed
 * PrivilegeViolationError, counted against the caller, and nothing changes.
 *
 * ```ts
 * const control = XenControl.of(hv);
 * const dom0 = hv.createDomain({ name: 'dom0' }, 'control');
 * const guest = control.createDomain(dom0, { name: 'web', memoryMiB: 256 });
 * control.watchMemoryTarget(guest, (frames) => kernel.balloon(frames));
 * control.setMemoryTarget(dom0, guest, 128);
 * ```
 *
 * @public
 */
@injectable()
export class XenControl {
  readonly #watchers = new Map<number, MemoryTargetWatcher[]>();
  readonly #memory: XenPvMemory;

  /**
   * The control interface of `hv` — `hv.service(XenControlService)`, one per hypervisor —
   * or a typed error when `hv` is not composed with xen-pv's memory.
   */
  static of(hv: Hypervisor): XenControl {
    const control = hv.service(XenControlService);
    if (control === undefined) throw new UnsupportedCapabilityError(hv.name, 'Xen control', 'it is not composed with the xen-pv plugin');
    return control;
  }

  constructor(
    @inject(HypervisorFacade) readonly hv: Hypervisor,
    @inject(XenPvMemory) memory: XenPvMemory,
  ) {
    // xen-pv composed without its memory (or another plugin's in its place) has no domains of its own to control.
    const xen = hv.plugins.find((p) => p.name === 'xen-pv');
    if (xen === undefined || !xen.provides.includes(MemoryVirtualization))
      throw new InvalidArgumentError('hypervisor', `XenControl needs xen-pv's memory virtualisation; '${hv.name}' has another`);
    this.#memory = memory;
    hv.hypercalls.register(HYPERCALL_DOMCTL, 'domctl', () => 0, 'control-domain', DOM0);
  }

  /** XEN_DOMCTL_createdomain (+ max_mem, max_vcpus): a new domain, created but not started. */
  createDomain(caller: Domain, spec: DomainSpec): Domain {
    this.#domctl(caller);
    return this.hv.createDomain(spec);
  }

  /** XEN_DOMCTL_destroydomain: destroys a domain that is not running (shut down, crashed or never started). */
  destroyDomain(caller: Domain, domain: Domain): void {
    this.#domctl(caller);
    this.#watchers.delete(domain.id);
    this.hv.destroy(domain);
  }

  /** XEN_DOMCTL_pausedomain. */
  pauseDomain(caller: Domain, domain: Domain): void {
    this.#domctl(caller);
    this.hv.pause(domain);
  }

  /** XEN_DOMCTL_unpausedomain. */
  unpauseDomain(caller: Domain, domain: Domain): void {
    this.#domctl(caller);
    this.hv.unpause(domain);
  }

  /**
   * Sets a domain's memory: `max_mem` in Xen and the target its balloon driver watches.
   * Lowering it frees reservation for other domains at once; the guest gives the frames
   * back as its driver catches up. Raising it needs the memory unreserved.
   */
  setMemoryTarget(caller: Domain, domain: Domain, memoryMiB: number): void {
    this.#domctl(caller);
    const frames = Math.round((memoryMiB * 1048576) / 4096);
    this.hv.setReservation(domain, frames);
    this.#memory.setMaxFrames(domain, frames);
    for (const w of this.#watchers.get(domain.id) ?? []) w(frames);
  }

  /** The guest side of xenstore's `memory/target`: `watcher` hears every new target. */
  watchMemoryTarget(domain: Domain, watcher: MemoryTargetWatcher): void {
    const list = this.#watchers.get(domain.id) ?? [];
    list.push(watcher);
    this.#watchers.set(domain.id, list);
  }

  /** Installs a rule in the virtual firewall-router (vfr_op). */
  installVfrRule(caller: Domain, rule: VfrRule): void {
    const network = this.hv.network;
    if (!(network instanceof XenSplitNetwork)) throw new InvalidArgumentError('hypervisor', `'${this.hv.name}' has no Xen firewall-router`);
    network.installRule(caller.vcpus[0]!, rule);
  }

  /** Sets a virtual block device's extents (vbd_op). */
  setVbdExtents(caller: Domain, device: number, extents: readonly Extent[]): void {
    const block = this.hv.block;
    if (!(block instanceof XenSplitBlock)) throw new InvalidArgumentError('hypervisor', `'${this.hv.name}' has no Xen virtual block devices`);
    block.setExtents(caller.vcpus[0]!, device, extents);
  }

  /** One domctl from `caller` through core's transition path: charged to it, refused (typed, counted) unless it is Dom0. */
  #domctl(caller: Domain): void {
    const vcpu = caller.vcpus[0]!;
    const p = this.hv.profile;
    this.hv.transitions.hypercall(vcpu, HYPERCALL_DOMCTL, XEN_PATH.value.domctl * p.cpu.kernelCpi);
  }
}

/**
 * Token of xen-pv's {@link XenControl}, bound by its module: `hv.service(XenControlService)`.
 *
 * @public
 */
export const XenControlService: ServiceToken<XenControl> = serviceToken('XenControl');
