import { Container, ContainerModule } from 'inversify';
import { Mechanisms } from '../accounting/mechanisms.js';
import { BlockBackend } from '../block/block-backend.js';
import { CpuVirtualization } from '../cpu/cpu-virtualization.js';
import { HypercallTable } from '../dispatch/hypercall-table.js';
import { TrapTable } from '../dispatch/trap-table.js';
import { DomainTable } from '../domain/domain-table.js';
import { InvalidArgumentError } from '../errors/visorkit-error.js';
import { CpuEvents } from '../events/cpu-events.js';
import { DomainEvents } from '../events/domain-events.js';
import { IoEvents } from '../events/io-events.js';
import { Machine, type MachineOptions } from '../machine/machine.js';
import type { MachineProfile } from '../machine/machine-profile.js';
import { MemoryVirtualization } from '../memory/memory-virtualization.js';
import { NetworkBackend } from '../network/network-backend.js';
import { VcpuScheduler } from '../scheduler/vcpu-scheduler.js';
import { Simulator } from '../sim/simulator.js';
import { TimeKeeping } from '../time/time-keeping.js';
import { DuplicateExtensionPointError, MissingExtensionPointError, UnsoundCompositionError } from './composition-errors.js';
import { Hypervisor, type ExtensionPoints } from './hypervisor.js';
import { pointName, type Plugin } from './plugin.js';

/** Token for the machine profile in the container. */
export const MachineProfileToken = Symbol.for('visorkit.MachineProfile');

/** The six extension points every hypervisor needs exactly once. */
export const SINGLE_EXTENSION_POINTS: readonly symbol[] = [
  MemoryVirtualization,
  CpuVirtualization,
  VcpuScheduler,
  TimeKeeping,
  NetworkBackend,
  BlockBackend,
];

/** What {@link createHypervisor} takes. */
export interface HypervisorConfig {
  /** The machine profile to simulate. */
  readonly machine: MachineProfile;
  /** Plugins that together bind every extension point exactly once. */
  readonly plugins: readonly Plugin[];
  /** Run options. */
  readonly options?: HypervisorOptions;
}

/** Run options for a composition. */
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

/** Checks the plugins' declared metadata: each single point provided exactly once, no unsound pairs. */
export function checkComposition(plugins: readonly Plugin[]): void {
  const names = plugins.map((p) => p.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new UnsoundCompositionError([dup, dup], 'the same plugin is loaded twice');
  for (const p of plugins) {
    for (const bad of p.incompatibleWith ?? []) {
      if (names.includes(bad.plugin)) throw new UnsoundCompositionError([p.name, bad.plugin], bad.reason);
    }
  }
  for (const point of SINGLE_EXTENSION_POINTS) {
    const providers = plugins.filter((p) => p.provides.includes(point)).map((p) => p.name);
    if (providers.length === 0) throw new MissingExtensionPointError(pointName(point), names);
    if (providers.length > 1) throw new DuplicateExtensionPointError(pointName(point), providers);
  }
}

/**
 * Composes a hypervisor: validates the plugins' declarations, loads the core module and
 * every plugin module into one inversify container, checks that each extension point is
 * really bound once, resolves everything, and returns the facade holding the references.
 */
export function createHypervisor(config: HypervisorConfig): Hypervisor {
  const options = config.options ?? {};
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) throw new InvalidArgumentError('hypervisor option', `unknown option '${key}' (known: ${KNOWN_OPTIONS.join(', ')})`);
  }
  if (config.plugins.length === 0) throw new MissingExtensionPointError(pointName(MemoryVirtualization), []);
  checkComposition(config.plugins);

  const sim = options.simulator ?? new Simulator(options.seed ?? 1);
  const machine = new Machine(config.machine, sim, options);
  const services = {
    sim,
    machine,
    hypercalls: new HypercallTable(),
    traps: new TrapTable(),
    mechanisms: new Mechanisms(),
    domains: new DomainTable(),
    events: { domains: new DomainEvents(), cpu: new CpuEvents(), io: new IoEvents() },
  };
  const coreModule = new ContainerModule((o) => {
    o.bind(Simulator).toConstantValue(sim);
    o.bind(Machine).toConstantValue(machine);
    o.bind(MachineProfileToken).toConstantValue(config.machine);
    o.bind(HypercallTable).toConstantValue(services.hypercalls);
    o.bind(TrapTable).toConstantValue(services.traps);
    o.bind(Mechanisms).toConstantValue(services.mechanisms);
    o.bind(DomainTable).toConstantValue(services.domains);
    o.bind(DomainEvents).toConstantValue(services.events.domains);
    o.bind(CpuEvents).toConstantValue(services.events.cpu);
    o.bind(IoEvents).toConstantValue(services.events.io);
  });
  const container = new Container({ defaultScope: 'Singleton' });
  container.load(coreModule);
  for (const p of config.plugins) {
    container.load(p.module(p.options));
    // Points this plugin was told to leave out are unbound before the next plugin binds them.
    for (const point of p.omitted) if (container.isBound(point)) container.unbind(point);
  }

  // After loading: the modules must have bound what they declared, once.
  for (const point of SINGLE_EXTENSION_POINTS) {
    if (!container.isBound(point)) throw new MissingExtensionPointError(pointName(point), config.plugins.map((p) => p.name));
  }
  const points: ExtensionPoints = {
    memory: resolveOne(container, MemoryVirtualization, config.plugins),
    cpu: resolveOne(container, CpuVirtualization, config.plugins),
    scheduler: resolveOne(container, VcpuScheduler, config.plugins),
    time: resolveOne(container, TimeKeeping, config.plugins),
    network: resolveOne(container, NetworkBackend, config.plugins),
    block: resolveOne(container, BlockBackend, config.plugins),
  };
  const name = config.plugins.map((p) => p.name).join('+');
  // Other services are read once each, and only when bound (see Hypervisor.service).
  const lookup = (token: symbol): unknown => (container.isBound(token) ? container.get(token) : undefined);
  return new Hypervisor(name, config.plugins, services, points, () => container.unbindAll(), lookup);
}

function resolveOne<T>(container: Container, point: symbol, plugins: readonly Plugin[]): T {
  const all = container.getAll<T>(point);
  if (all.length !== 1) throw new DuplicateExtensionPointError(pointName(point), plugins.filter((p) => p.provides.includes(point)).map((p) => p.name));
  return all[0]!;
}
