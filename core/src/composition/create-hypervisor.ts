import { Container, ContainerModule } from 'inversify';
import { Mechanisms } from '../accounting/mechanisms.js';
import { BlockBackend } from '../block/block-backend.js';
import { CpuVirtualization } from '../cpu/cpu-virtualization.js';
import { GuestTransitions } from '../dispatch/guest-transitions.js';
import { HostWork } from '../cpu/host-work.js';
import { HypercallTable } from '../dispatch/hypercall-table.js';
import { TrapTable } from '../dispatch/trap-table.js';
import { DomainTable } from '../domain/domain-table.js';
import { InvalidArgumentError } from '../errors/visorkit-error.js';
import { CpuEvents } from '../events/cpu-events.js';
import { DomainEvents } from '../events/domain-events.js';
import { GuestEvents } from '../events/guest-events.js';
import { IoEvents } from '../events/io-events.js';
import { Machine, type MachineOptions } from '../machine/machine.js';
import type { MachineProfile } from '../machine/machine-profile.js';
import { MemoryVirtualization } from '../memory/memory-virtualization.js';
import { DirtyLogging } from '../memory/dirty-logging.js';
import { PostCopyPaging } from '../memory/post-copy-paging.js';
import { MemoryBalloon } from '../memory/memory-balloon.js';
import { DeviceAssignment } from '../devices/device-assignment.js';
import { NetworkBackend } from '../network/network-backend.js';
import { VcpuScheduler } from '../scheduler/vcpu-scheduler.js';
import { Simulator } from '../sim/simulator.js';
import { TimeKeeping } from '../time/time-keeping.js';
import { chosenBindings } from './chosen-bindings.js';
import { MissingExtensionPointError, UnsoundCompositionError } from './composition-errors.js';
import { OPTIONAL_EXTENSION_POINTS, planComposition, SINGLE_EXTENSION_POINTS, type CompositionPlan } from './composition-plan.js';
import { decorated } from './decorated.js';
import { Hypervisor, HypervisorFacade, type ExtensionPoints, type OptionalExtensionPoints } from './hypervisor.js';
import { pointName, type Plugin } from './plugin.js';

/**
 * Token for the machine profile in the container.
 *
 * @public
 */
export const MachineProfileToken = Symbol.for('visorkit.MachineProfile');

/**
 * What {@link createHypervisor} takes.
 *
 * @public
 */
export interface HypervisorConfig {
  /** The machine profile to simulate. */
  readonly machine: MachineProfile;
  /** Plugins that together bind every extension point exactly once. */
  readonly plugins: readonly Plugin[];
  /** Run options. */
  readonly options?: HypervisorOptions;
}

/**
 * Run options for a composition.
 *
 * @public
 */
export interface HypervisorOptions extends MachineOptions {
  /** Seed of the run's PRNG (default 1). Ignored when `simulator` is given. */
  readonly seed?: number;
  /**
   * Share another hypervisor's simulator (one clock for several machines: a migration
   * source and target, a server and its clients).
   */
  readonly simulator?: Simulator;
}

const KNOWN_OPTIONS = ['seed', 'memoryMiB', 'cores', 'disks', 'simulator'];

/**
 * Checks the plugins' declared metadata without composing them: each single point provided
 * exactly once, requirements and decorations met, no unsound pairs (see {@link planComposition}).
 *
 * @public
 */
export function checkComposition(plugins: readonly Plugin[]): void {
  planComposition(plugins);
}

/**
 * Composes a hypervisor: decides from the plugins' declarations who provides and who
 * decorates each point (the order of `plugins` does not matter), loads the core module and the
 * bindings it chose from each plugin into one inversify container, checks that each extension
 * point is really bound once, resolves everything, and returns the facade holding the
 * references.
 *
 * @public
 */
export function createHypervisor(config: HypervisorConfig): Hypervisor {
  const options = config.options ?? {};
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) throw new InvalidArgumentError('hypervisor option', `unknown option '${key}' (known: ${KNOWN_OPTIONS.join(', ')})`);
  }
  const plan = planComposition(config.plugins);

  const sim = options.simulator ?? new Simulator(options.seed ?? 1);
  const machine = new Machine(config.machine, sim, options);
  const hypercalls = new HypercallTable();
  const cpuEvents = new CpuEvents();
  const transitions = new GuestTransitions(machine, hypercalls, cpuEvents);
  hypercalls.route(transitions);
  const services = {
    sim,
    machine,
    hypercalls,
    transitions,
    traps: new TrapTable(),
    mechanisms: new Mechanisms(),
    domains: new DomainTable(),
    events: { domains: new DomainEvents(), cpu: cpuEvents, io: new IoEvents(), guest: new GuestEvents() },
    hostWork: new HostWork(),
  };
  const coreModule = new ContainerModule((o) => {
    o.bind(Simulator).toConstantValue(sim);
    o.bind(Machine).toConstantValue(machine);
    o.bind(MachineProfileToken).toConstantValue(config.machine);
    o.bind(HypercallTable).toConstantValue(services.hypercalls);
    o.bind(GuestTransitions).toConstantValue(services.transitions);
    o.bind(TrapTable).toConstantValue(services.traps);
    o.bind(Mechanisms).toConstantValue(services.mechanisms);
    o.bind(DomainTable).toConstantValue(services.domains);
    o.bind(DomainEvents).toConstantValue(services.events.domains);
    o.bind(CpuEvents).toConstantValue(services.events.cpu);
    o.bind(IoEvents).toConstantValue(services.events.io);
    o.bind(GuestEvents).toConstantValue(services.events.guest);
    o.bind(HostWork).toConstantValue(services.hostWork);
  });
  const container = new Container({ defaultScope: 'Singleton' });
  container.load(coreModule);
  for (const p of plan.plugins) container.load(chosenBindings(p, plan));

  // After loading: the modules must have bound what they declared.
  for (const point of SINGLE_EXTENSION_POINTS) {
    const provider = plan.provider(point)!;
    const token = plan.decorator(point) !== undefined ? decorated(point) : point;
    if (!container.isBound(token))
      throw new MissingExtensionPointError(
        pointName(point),
        plan.plugins.map((p) => p.name),
        `'${provider.name}' declares it in provides but its module does not bind it: bind it there, or drop it from provides.`,
      );
    const decorator = plan.decorator(point);
    if (decorator !== undefined && !container.isBound(point))
      throw new MissingExtensionPointError(
        pointName(point),
        plan.plugins.map((p) => p.name),
        `'${decorator.name}' declares it in decorates but its module does not bind it: bind it there, or drop it from decorates.`,
      );
  }
  const points: ExtensionPoints = {
    memory: resolveOne(container, MemoryVirtualization, plan),
    cpu: resolveOne(container, CpuVirtualization, plan),
    scheduler: resolveOne(container, VcpuScheduler, plan),
    time: resolveOne(container, TimeKeeping, plan),
    network: resolveOne(container, NetworkBackend, plan),
    block: resolveOne(container, BlockBackend, plan),
  };
  const optional: OptionalExtensionPoints = {
    dirtyLog: resolveOptional(container, DirtyLogging, plan),
    postCopy: resolveOptional(container, PostCopyPaging, plan),
    balloon: resolveOptional(container, MemoryBalloon, plan),
    deviceAssignment: resolveOptional(container, DeviceAssignment, plan),
  };
  // Other services are read once each, and only when bound (see Hypervisor.service).
  const lookup = (token: symbol): unknown => (container.isBound(token) ? container.get(token) : undefined);
  // A decorated point's provider hears of domains from its decorator, not from the facade.
  const wrapped = [...SINGLE_EXTENSION_POINTS, ...OPTIONAL_EXTENSION_POINTS]
    .filter((point) => plan.decorator(point) !== undefined)
    .map((point) => container.get<object>(decorated(point)));
  const hv = new Hypervisor(plan.name, plan.plugins, services, points, () => container.unbindAll(), lookup, optional, wrapped);
  container.bind(HypervisorFacade).toConstantValue(hv);
  return hv;
}

/** An optional point (bound by at most one plugin, possibly decorated), or undefined. */
function resolveOptional<T>(container: Container, point: symbol, plan: CompositionPlan): T | undefined {
  if (!container.isBound(point)) {
    if (plan.decorator(point) !== undefined && container.isBound(decorated(point))) {
      const decorator = plan.decorator(point)!;
      throw new UnsoundCompositionError([decorator.name], `it declares it decorates ${pointName(point)} but its module does not bind it`);
    }
    return undefined;
  }
  return resolveOne<T>(container, point, plan);
}

function resolveOne<T>(container: Container, point: symbol, plan: CompositionPlan): T {
  const all = container.getAll<T>(point);
  if (all.length !== 1) {
    const by = plan.decorator(point) ?? plan.provider(point)!;
    throw new UnsoundCompositionError([by.name], `its module binds ${pointName(point)} ${all.length} times; bind it once`);
  }
  return all[0]!;
}
