import type { GuestCrashEvent, Hypervisor, MachineProfile, ParameterSet, Plugin, Simulator } from '@visorkit/core';
import type { DomainInput } from './domain-input.js';

/**
 * How a platform runs several workload instances side by side.
 *
 * @public
 */
export type IsolationUnit = 'domains' | 'processes' | 'contexts';

/**
 * Options a platform composition takes from an experiment.
 *
 * @public
 */
export interface ComposeOptions {
  readonly seed: number;
  /** Share this simulator (several machines on one clock, e.g. migration). */
  readonly simulator?: Simulator;
  readonly memoryMiB?: number;
  readonly cores?: number;
}

/**
 * A platform: a named composition of plugins with their options. Names are public interface
 * (`native`, `xen-pv`, `vserver`, `hvm-ept`, `hvm-ept-2m`, `hvm-shadow`, `hvm-sriov`,
 * `hvm-ept+vserver`).
 *
 * @public
 */
export interface PlatformSpec {
  readonly name: string;
  readonly description: string;
  /** What one workload instance gets: its own domain, a process of one OS, or a container context. */
  readonly isolation: IsolationUnit;
  /**
   * Containers on VMs: the name of the VM platform whose domain hosts this platform's
   * contexts (`hvm-ept` for `hvm-ept+vserver`). Instances are then contexts of one guest
   * kernel in one domain, not domains of their own — see {@link instancesShareOneKernel}.
   */
  readonly stackedOn?: string;
  /** Builds a fresh hypervisor on `profile`. */
  compose(profile: MachineProfile, options: ComposeOptions): Hypervisor;
  /** The plugins it composes, when it was made from plugins ({@link definePlatform}). */
  readonly plugins?: readonly Plugin[];
  /** Why this platform cannot run on `profile` (missing hardware), or undefined when it can. */
  unsupportedOn?(profile: MachineProfile): string | undefined;
}

/**
 * True when `platform` runs all of an experiment's instances on one guest kernel: the
 * processes of one OS, or the contexts of one VM's kernel on a stacked platform. (Contexts of
 * an unstacked container platform are its domains: the shared kernel schedules them there.)
 *
 * @public
 */
export function instancesShareOneKernel(platform: Pick<PlatformSpec, 'isolation' | 'stackedOn'>): boolean {
  return platform.isolation === 'processes' || (platform.isolation === 'contexts' && platform.stackedOn !== undefined);
}

/**
 * One measured value. Extra keys with primitive values (`workload`, `domains`, `instances`,
 * `mode`…) identify the row; an object-valued `detail` carries supporting figures.
 *
 * @public
 */
export interface ResultRow {
  readonly platform: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  /** Mechanism counts that explain the value. */
  readonly counts: Readonly<Record<string, number>>;
  /**
   * Whether a fitted parameter was fitted to this very cell (`fitted`: the value is partly an
   * input) or not (`predicted`). Set by the runner from the calibration ledger on every row it
   * returns; experiments leave it out.
   */
  readonly provenance?: Provenance;
  readonly [extra: string]: unknown;
}

/**
 * See {@link ResultRow.provenance}.
 *
 * @public
 */
export type Provenance = 'fitted' | 'predicted';

/**
 * The document `visorkit run --json` prints. Field names are public interface.
 *
 * @public
 */
export interface ExperimentResult {
  readonly experiment: string;
  readonly composition: string;
  readonly profile: string;
  readonly seed: number;
  /** The `--domain` files the run read, with what of each was ignored (absent without any). */
  readonly domains?: readonly DomainInput[];
  readonly results: readonly ResultRow[];
  /** Guest processes that crashed during the run (a program bug), when any did. */
  readonly crashes?: readonly ExperimentCrash[];
}

/**
 * A guest process crash seen during an experiment, on the platform it ran on.
 *
 * @public
 */
export interface ExperimentCrash extends GuestCrashEvent {
  readonly platform: string;
}

/**
 * What an experiment is given to run.
 *
 * @public
 */
export interface ExperimentContext {
  readonly profile: MachineProfile;
  readonly platforms: readonly PlatformSpec[];
  readonly seed: number;
  /** Reports progress through a sweep. */
  readonly progress?: (done: number, total: number) => void;
  /** Called right after each hypervisor is composed, so tracers can subscribe. */
  readonly observe?: (hv: Hypervisor, platform: string) => void;
  /**
   * Domains described by the user's files (`--domain`): the i-th shapes the i-th domain the
   * experiment creates (see `domainSpecFor`); domains beyond them keep the experiment's defaults.
   */
  readonly domains?: readonly DomainInput[];
  /** Shapes every domain that has no entry in {@link domains} (a sweep's `--vary domain.memoryMiB=…`). */
  readonly everyDomain?: DomainInput;
  /**
   * Run only this many domains (or instances) where the experiment sweeps a count of them
   * (a sweep's `--vary domains=…`; see `domainCounts`), instead of its own list.
   */
  readonly domainCount?: number;
  /** Told when the experiment applied {@link domainCount}, so the lab can refuse one that has none. */
  readonly domainCountUsed?: () => void;
  /** Told which of {@link domains} an experiment used, so the lab can report unused files. */
  readonly domainUsed?: (index: number) => void;
}

/**
 * A generic experiment: a workload sweep over the platforms it is given. It never hard-codes
 * a result: every value comes from running the simulation.
 *
 * @public
 */
export interface Experiment {
  /** Id used on the command line (`micro`, `isolation`…). */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /**
   * False for long experiments that `npm start` runs only where an example composes them,
   * not on every bundled profile (they stay runnable ad hoc on any).
   */
  readonly sweepAllProfiles?: boolean;
  /**
   * False for experiments too long for `npm start` at their published scale (minutes of
   * simulated time on a loaded server); they run with `visorkit run <example>:<id>`.
   */
  readonly inMainJob?: boolean;
  run(ctx: ExperimentContext): ResultRow[];
}

/**
 * A composed hypervisor with its experiments (the `examples/*` packages).
 *
 * @public
 */
export interface ExampleDefinition {
  readonly name: string;
  readonly description: string;
  readonly profile: MachineProfile;
  /**
   * Where each number of `profile` comes from, when it is a profile of the example's own (not a
   * bundled one): the calibration ledger lists them as that profile's primitives.
   */
  readonly profileSources?: Readonly<Record<string, string>>;
  /**
   * Path-length sets of the example's own plugins (`pathLengths(...)` from core): the
   * calibration ledger lists them beside the bundled packages' sets.
   */
  readonly pathLengths?: readonly ParameterSet[];
  readonly platforms: readonly PlatformSpec[];
  readonly experiments: readonly Experiment[];
}

/**
 * Composes `platform` on the context's profile and lets observers subscribe.
 *
 * @public
 */
export function composeFor(ctx: ExperimentContext, platform: PlatformSpec, options: Partial<ComposeOptions> = {}): Hypervisor {
  const hv = platform.compose(ctx.profile, { seed: ctx.seed, ...options });
  ctx.observe?.(hv, platform.name);
  return hv;
}
