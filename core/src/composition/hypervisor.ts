import type { BlockBackend } from '../block/block-backend.js';
import { InvalidArgumentError, UnsupportedCapabilityError } from '../errors/visorkit-error.js';
import { Capability } from '../capabilities/capability.js';
import { CpuRunner } from '../cpu/cpu-runner.js';
import { HostWork } from '../cpu/host-work.js';
import type { CpuVirtualization } from '../cpu/cpu-virtualization.js';
import type { GuestTransitions } from '../dispatch/guest-transitions.js';
import type { HypercallTable } from '../dispatch/hypercall-table.js';
import type { TrapTable } from '../dispatch/trap-table.js';
import type { DomainObserver } from '../domain/domain-observer.js';
import { IllegalTransitionError, type DomainState } from '../domain/domain-state.js';
import type { DomainTable } from '../domain/domain-table.js';
import { Domain, type DomainKind, type DomainSpec } from '../domain/domain.js';
import type { Vcpu, VcpuProgram } from '../domain/vcpu.js';
import type { CpuEvents } from '../events/cpu-events.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { GuestEvents } from '../events/guest-events.js';
import type { IoEvents } from '../events/io-events.js';
import type { Machine } from '../machine/machine.js';
import type { MachineProfile } from '../machine/machine-profile.js';
import { MECHANISM_CAPACITY, type Mechanisms } from '../accounting/mechanisms.js';
import type { MemoryVirtualization } from '../memory/memory-virtualization.js';
import { DirtyLogging } from '../memory/dirty-logging.js';
import { PostCopyPaging } from '../memory/post-copy-paging.js';
import { MemoryBalloon } from '../memory/memory-balloon.js';
import { DeviceAssignment } from '../devices/device-assignment.js';
import type { NetworkBackend } from '../network/network-backend.js';
import type { VcpuScheduler } from '../scheduler/vcpu-scheduler.js';
import type { Simulator } from '../sim/simulator.js';
import type { TimeKeeping } from '../time/time-keeping.js';
import { domainId } from '../units/units.js';
import { remedyFor } from './composition-plan.js';
import { pointName, type Plugin } from './plugin.js';
import { serviceToken, type ServiceToken } from './service-token.js';

/**
 * Token of the composed {@link Hypervisor} facade, for services resolved through
 * {@link Hypervisor.service} (bound once the facade exists; the extension points themselves
 * are resolved before and cannot inject it).
 *
 * @public
 */
export const HypervisorFacade: ServiceToken<Hypervisor> = serviceToken('Hypervisor');

/**
 * The six single extension points, resolved once.
 *
 * @public
 */
export interface ExtensionPoints {
  readonly memory: MemoryVirtualization;
  readonly cpu: CpuVirtualization;
  readonly scheduler: VcpuScheduler;
  readonly time: TimeKeeping;
  readonly network: NetworkBackend;
  readonly block: BlockBackend;
}

/**
 * The optional extension points, resolved once: undefined when no loaded plugin binds one.
 *
 * @public
 */
export interface OptionalExtensionPoints {
  /** Log-dirty mode (pre-copy migration, working-set measurement). */
  readonly dirtyLog?: DirtyLogging | undefined;
  /** Post-copy demand paging of an arriving domain. */
  readonly postCopy?: PostCopyPaging | undefined;
  /** The guest's balloon. */
  readonly balloon?: MemoryBalloon | undefined;
  /** Devices assigned to guests and their IOMMU. */
  readonly deviceAssignment?: DeviceAssignment | undefined;
}

/**
 * Capabilities that exist only where a point implements them: a composition has one exactly
 * when its point is bound (and no plugin withholds it), whatever the plugins declare.
 *
 * @public
 */
export const POINT_CAPABILITIES: Readonly<Partial<Record<Capability, keyof OptionalExtensionPoints>>> = {
  [Capability.LiveMigration]: 'dirtyLog',
  [Capability.DevicePassthrough]: 'deviceAssignment',
};

/** Each optional point's token, by its facade member. */
const OPTIONAL_POINT_TOKENS: Readonly<Record<keyof OptionalExtensionPoints, symbol>> = {
  dirtyLog: DirtyLogging,
  postCopy: PostCopyPaging,
  balloon: MemoryBalloon,
  deviceAssignment: DeviceAssignment,
};

/**
 * The core services every hypervisor has.
 *
 * @public
 */
export interface CoreServices {
  readonly sim: Simulator;
  readonly machine: Machine;
  readonly hypercalls: HypercallTable;
  /** The one path of every guest → hypervisor transition (see {@link GuestTransitions}). */
  readonly transitions: GuestTransitions;
  readonly traps: TrapTable;
  readonly mechanisms: Mechanisms;
  readonly domains: DomainTable;
  readonly events: { readonly domains: DomainEvents; readonly cpu: CpuEvents; readonly io: IoEvents; readonly guest: GuestEvents };
  /** Work the host does on the pCPUs on its own account (see {@link HostWork}); absent: none can be run. */
  readonly hostWork?: HostWork;
}

/**
 * A program factory: one program per vCPU.
 *
 * @public
 */
export type ProgramFactory = (vcpu: Vcpu) => VcpuProgram;

/**
 * A composed hypervisor: the facade users hold. It creates domains and drives their
 * lifecycle, runs the simulation, and exposes the resolved extension points and core
 * services as held references (never a container lookup on the hot path).
 *
 * @public
 */
export class Hypervisor implements ExtensionPoints, CoreServices {
  readonly sim: Simulator;
  readonly machine: Machine;
  readonly hypercalls: HypercallTable;
  readonly transitions: GuestTransitions;
  readonly traps: TrapTable;
  readonly mechanisms: Mechanisms;
  readonly domains: DomainTable;
  readonly events: CoreServices['events'];
  readonly memory: MemoryVirtualization;
  readonly cpu: CpuVirtualization;
  readonly time: TimeKeeping;
  readonly network: NetworkBackend;
  readonly block: BlockBackend;
  /** Log-dirty mode, when a plugin binds the {@link DirtyLogging} point. */
  readonly dirtyLog: DirtyLogging | undefined;
  /** Post-copy demand paging, when a plugin binds the {@link PostCopyPaging} point. */
  readonly postCopy: PostCopyPaging | undefined;
  /** The balloon, when a plugin binds the {@link MemoryBalloon} point. */
  readonly balloon: MemoryBalloon | undefined;
  /** Device assignment and the IOMMU, when a plugin binds the {@link DeviceAssignment} point. */
  readonly deviceAssignment: DeviceAssignment | undefined;
  /** Runs vCPUs on pCPUs. */
  readonly runner: CpuRunner;
  /** Host work on the pCPUs (a page scanner's, say): it takes pCPU time from the guests. */
  readonly hostWork: HostWork;
  /**
   * Capabilities the loaded plugins declare, less those any plugin withholds; those in
   * {@link POINT_CAPABILITIES} follow from their point being bound instead.
   */
  readonly capabilities: ReadonlySet<Capability>;
  readonly #dispose: () => void;
  readonly #wrapped: ReadonlySet<object>;
  readonly #lookup: (token: symbol) => unknown;
  /** Services resolved through {@link service}, kept (undefined: none bound). */
  readonly #services = new Map<symbol, unknown>();
  #reservedFrames = 0;
  /** Domains per kernel name (for the multiple-kernels check). */
  readonly #kernels = new Map<string, number>();
  /** Balloon targets below a domain's maximum reservation, by domain id. */
  readonly #targets = new Map<number, number>();

  constructor(
    /** Composition name: the plugin names joined with '+'. */
    readonly name: string,
    readonly plugins: readonly Plugin[],
    services: CoreServices,
    points: ExtensionPoints,
    dispose: () => void,
    /** Resolves a token the plugins may have bound beyond the extension points, or undefined. */
    lookup: (token: symbol) => unknown = () => undefined,
    optional: OptionalExtensionPoints = {},
    /**
     * Implementations a decorator wraps (a point's provider under a decorator): the decorator
     * tells them of domains being created and destroyed, so the facade does not, even when
     * they also serve an optional point.
     */
    wrapped: readonly object[] = [],
  ) {
    this.#wrapped = new Set(wrapped);
    this.sim = services.sim;
    this.machine = services.machine;
    this.hypercalls = services.hypercalls;
    this.transitions = services.transitions;
    this.traps = services.traps;
    this.mechanisms = services.mechanisms;
    this.domains = services.domains;
    this.events = services.events;
    this.memory = points.memory;
    this.cpu = points.cpu;
    this.time = points.time;
    this.network = points.network;
    this.block = points.block;
    this.dirtyLog = optional.dirtyLog;
    this.postCopy = optional.postCopy;
    this.balloon = optional.balloon;
    this.deviceAssignment = optional.deviceAssignment;
    const withheld = new Set(plugins.flatMap((p) => p.withholds ?? []));
    const declared = new Set(plugins.flatMap((p) => p.capabilities));
    for (const [capability, point] of Object.entries(POINT_CAPABILITIES) as [Capability, keyof OptionalExtensionPoints][]) {
      if (optional[point] !== undefined) declared.add(capability);
      else declared.delete(capability);
    }
    this.capabilities = new Set([...declared].filter((c) => !withheld.has(c)));
    this.hostWork = services.hostWork ?? new HostWork();
    this.runner = new CpuRunner(this.sim, this.machine, points.scheduler, this.cpu, this.events.cpu, this.hostWork);
    this.#dispose = dispose;
    this.#lookup = lookup;
  }

  /**
   * A service a plugin binds beyond the six extension points, under a typed token its package
   * exports — e.g. a container plugin's policy for guest kernels (`ContainerPolicy` in
   * `@visorkit/guest`), which every guest kernel on this hypervisor consults, or xen-pv's
   * `XenControlService`. Undefined when no loaded plugin binds it. Resolved once and kept: look
   * it up when setting up, not on a hot path. A service may inject the facade itself under
   * {@link HypervisorFacade}.
   */
  service<T>(token: ServiceToken<T>): T | undefined {
    if (!this.#services.has(token)) this.#services.set(token, this.#lookup(token));
    return this.#services.get(token) as T | undefined;
  }

  /** The vCPU scheduler in use (it can be replaced live: {@link replaceScheduler}). */
  get scheduler(): VcpuScheduler {
    return this.runner.scheduler;
  }

  /** Each bound implementation once, even when one object serves several points. */
  get #observers(): DomainObserver[] {
    const points: DomainObserver[] = [this.memory, this.cpu, this.scheduler, this.time, this.network, this.block];
    for (const p of [this.dirtyLog, this.postCopy, this.balloon, this.deviceAssignment]) if (p !== undefined) points.push(p as DomainObserver);
    return [...new Set<DomainObserver>(points)].filter((p) => !this.#wrapped.has(p));
  }

  /** The machine profile. */
  get profile(): MachineProfile {
    return this.machine.profile;
  }

  /** Simulated time now (ns). */
  get now(): number {
    return this.sim.now;
  }

  /** True when a loaded plugin declares `capability`. */
  has(capability: Capability): boolean {
    return this.capabilities.has(capability);
  }

  /**
   * Throws UnsupportedCapabilityError unless `capability` is declared, saying why: which plugin
   * withholds it, which point it needs and how to get one, or that no plugin declares it.
   */
  require(capability: Capability): void {
    if (!this.has(capability)) throw new UnsupportedCapabilityError(this.name, capability, this.#whyNot(capability));
  }

  #whyNot(capability: Capability): string {
    const by = this.plugins.filter((p) => p.withholds?.includes(capability) === true).map((p) => `'${p.name}'`);
    if (by.length > 0) return `${by.join(' and ')} withhold${by.length > 1 ? '' : 's'} it`;
    const point = POINT_CAPABILITIES[capability];
    if (point !== undefined) {
      const token = OPTIONAL_POINT_TOKENS[point];
      return `it needs the ${pointName(token)} point, which no loaded plugin provides. ${remedyFor(token, this.plugins)}`;
    }
    return `no loaded plugin declares it (${this.plugins.map((p) => `'${p.name}'`).join(', ')})`;
  }

  /**
   * Creates a domain (state `created`) and tells every extension point. Its memory
   * reservation must fit in the machine's free RAM.
   */
  createDomain(spec: DomainSpec, kind: DomainKind = 'guest'): Domain {
    if (!spec.name) throw new InvalidArgumentError('domain name', 'must not be empty');
    if (this.domains.byName(spec.name) !== undefined) throw new InvalidArgumentError('domain name', `'${spec.name}' already exists`);
    if ((spec.vcpus ?? 1) < 1 || !Number.isInteger(spec.vcpus ?? 1)) throw new InvalidArgumentError('vcpus', `expected a positive integer, got ${spec.vcpus}`);
    if ((spec.memoryMiB ?? 64) <= 0) throw new InvalidArgumentError('memoryMiB', `expected a positive size, got ${spec.memoryMiB}`);
    if (kind === 'control' && this.domains.all().some((d) => d.isControl)) throw new InvalidArgumentError('domain kind', 'there is already a control domain');
    // A second kind of kernel needs the capability (counted per kernel, not by scanning domains).
    if (this.#kernels.size > 0 && !this.#kernels.has(spec.kernel ?? 'linux')) this.require(Capability.MultipleKernels);
    const domain = new Domain(domainId(this.domains.nextId), spec.name, kind, spec, this.machine.nsPerCycle);
    const free = this.machine.memory.frames - this.#reservedFrames;
    if (domain.reservationFrames > free) {
      throw new InvalidArgumentError(
        'memoryMiB',
        `domain '${spec.name}' asks for ${spec.memoryMiB} MiB but only ${Math.floor((free * 4096) / 1048576)} MiB of the machine's RAM is unreserved`,
      );
    }
    this.#reservedFrames += domain.reservationFrames;
    this.#kernels.set(domain.kernel, (this.#kernels.get(domain.kernel) ?? 0) + 1);
    this.domains.add(domain);
    for (const o of this.#observers) o.domainCreated?.(domain);
    this.#emit(domain, 'created', 'created');
    return domain;
  }

  /** Frames `domain` has reserved now: its maximum unless a balloon target lowered it. */
  reservedFramesOf(domain: Domain): number {
    return this.#targets.get(domain.id) ?? domain.reservationFrames;
  }

  /**
   * Sets how much of its maximum reservation `domain` may hold (a balloon target, set by the
   * control domain): lowering it returns frames to the unreserved pool for other domains;
   * raising it needs them unreserved. The guest's balloon driver does the actual giving back.
   */
  setReservation(domain: Domain, frames: number): void {
    if (!Number.isInteger(frames) || frames < 1 || frames > domain.reservationFrames) {
      throw new InvalidArgumentError(
        'memory target',
        `expected 1..${domain.reservationFrames} frames (the domain's maximum) for '${domain.name}', got ${frames}`,
      );
    }
    const delta = frames - this.reservedFramesOf(domain);
    if (delta > this.unreservedFrames) {
      throw new InvalidArgumentError('memory target', `'${domain.name}' would need ${delta} more frames but only ${this.unreservedFrames} are unreserved`);
    }
    this.#reservedFrames += delta;
    this.#targets.set(domain.id, frames);
  }

  /** Unreserved machine RAM in frames. */
  get unreservedFrames(): number {
    return this.machine.memory.frames - this.#reservedFrames;
  }

  /** Starts a created domain, giving each vCPU a program. */
  start(domain: Domain, programs?: ProgramFactory): void {
    this.#transition(domain, 'running');
    for (const v of domain.vcpus) {
      if (programs !== undefined) v.program = programs(v);
      this.runner.wake(v);
    }
  }

  /** Pauses a running domain: its vCPUs stop at the end of their bursts. */
  pause(domain: Domain): void {
    this.#transition(domain, 'paused');
    for (const v of domain.vcpus) this.runner.stop(v);
  }

  /** Resumes a paused domain (only a paused one: starting is {@link start}). */
  unpause(domain: Domain): void {
    if (domain.state !== 'paused') throw new IllegalTransitionError(domain.name, domain.state, 'running');
    this.#transition(domain, 'running');
    for (const v of domain.vcpus) if (v.state === 'offline') this.runner.wake(v);
  }

  /** Orderly shutdown. */
  shutdown(domain: Domain): void {
    this.#transition(domain, 'shutdown');
    for (const v of domain.vcpus) this.runner.stop(v);
  }

  /**
   * The domain crashed: only it stops. (A fault that takes other domains with it — their
   * shared kernel's — crashes each domain of its `FailureScope`.)
   */
  crash(domain: Domain, reason: string): void {
    if (domain.state === 'crashed' || domain.state === 'destroyed' || domain.state === 'shutdown') return;
    domain.crashReason = reason;
    this.#transition(domain, 'crashed');
    for (const v of domain.vcpus) this.runner.stop(v);
  }

  /** Destroys a shut-down, crashed or never-started domain and releases its resources. */
  destroy(domain: Domain): void {
    this.#transition(domain, 'destroyed');
    for (const o of this.#observers) o.domainDestroyed?.(domain);
    this.traps.clear(domain.id);
    this.#reservedFrames -= this.reservedFramesOf(domain);
    this.#targets.delete(domain.id);
    const left = (this.#kernels.get(domain.kernel) ?? 1) - 1;
    if (left === 0) this.#kernels.delete(domain.kernel);
    else this.#kernels.set(domain.kernel, left);
    this.domains.remove(domain);
  }

  /** Loads a kernel module into a domain's kernel (needs the kernel-modules capability). */
  loadKernelModule(domain: Domain, module: string): void {
    this.require(Capability.KernelModules);
    if (!module) throw new InvalidArgumentError('kernel module', 'a module needs a name');
    domain.modules.push(module);
  }

  /**
   * Live update of the vCPU scheduler: the running machine switches to `next` without
   * stopping any domain (needs the live-update capability). Every runnable vCPU moves over.
   */
  replaceScheduler(next: VcpuScheduler): void {
    this.require(Capability.LiveUpdate);
    const before = new Map<Vcpu, unknown>();
    for (const d of this.domains.all()) for (const v of d.vcpus) before.set(v, v.schedulerData);
    this.runner.replaceScheduler(next);
    let handedOver = false;
    for (const d of this.domains.all()) {
      for (const v of d.vcpus) {
        if (v.queued && v.state === 'runnable' && v.schedulerData !== undefined && v.schedulerData === before.get(v)) {
          // Runnable but held back by the old scheduler (a cap's parking), so never handed over: the new one takes it.
          v.schedulerData = undefined;
          next.wake(v, this.now);
          handedOver = true;
        } else if (!v.queued && v.state !== 'running') {
          // A blocked or stopped vCPU still holds the old scheduler's state: it means nothing to the new one.
          v.schedulerData = undefined;
        }
      }
    }
    if (handedOver) this.runner.kick();
    for (const d of this.domains.all()) next.domainCreated?.(d);
  }

  /** Runs the simulation until simulated time `time` (ns). */
  runUntil(time: number): void {
    this.sim.runUntil(time);
    this.runner.settleIdle();
  }

  /** Runs the simulation for `ns` more nanoseconds. */
  runFor(ns: number): void {
    this.runUntil(this.sim.now + ns);
  }

  /** Runs until `done()` holds (checked after each event) or nothing is left to do. */
  runWhile(notDone: () => boolean): void {
    this.sim.run(() => !notDone());
    this.runner.settleIdle();
  }

  /** Mechanism counts of one domain, or summed over all domains, as `{ name: n }`. */
  counts(domain?: Domain): Record<string, number> {
    if (domain !== undefined) return this.mechanisms.toRecord(domain.counts);
    const sum = new Float64Array(MECHANISM_CAPACITY);
    for (const d of this.domains.all()) for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + d.counts[i]!;
    return this.mechanisms.toRecord(sum);
  }

  /** Completes every event stream and unloads the container. */
  dispose(): void {
    this.events.domains.complete();
    this.events.cpu.complete();
    this.events.io.complete();
    this.events.guest.complete();
    this.#dispose();
  }

  #transition(domain: Domain, to: DomainState): void {
    const from = domain.setState(to);
    this.#emit(domain, from, to);
  }

  #emit(domain: Domain, from: DomainState, to: DomainState): void {
    const events = this.events.domains;
    if (events.lifecycleObserved) events.emitLifecycle({ time: this.sim.now, domainId: domain.id, domain: domain.name, from, to });
  }
}
