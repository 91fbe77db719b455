import type { Capability } from '@visorkit/core';
import type { Compose, Contract } from './contract.js';
import { capabilityContracts } from './contracts/capability-contracts.js';
import { cpuContracts } from './contracts/cpu-contracts.js';
import { blockContracts } from './contracts/disk-contracts.js';
import { differentialContracts } from './contracts/differential-contracts.js';
import { lifecycleContracts } from './contracts/lifecycle-contracts.js';
import { memoryContracts } from './contracts/memory-contracts.js';
import { antiSpoofingContract, dmaBuffersContract, networkContracts } from './contracts/network-contracts.js';
import { schedulerContracts } from './contracts/scheduler-contracts.js';
import { timeContracts } from './contracts/time-contracts.js';
import { DEFAULT_KIT_SEED, depthFromEnvironment, replayFromEnvironment, seedFromEnvironment, type KitSettings, type Replay } from './kit/kit-settings.js';
import type { Hypervisor } from '@visorkit/core';

/**
 * The part of ava's `test` the kit uses (so the kit does not depend on ava).
 *
 * @public
 */
export type TestRegistrar = (title: string, implementation: (t: { pass(): void; log?(...values: unknown[]): void }) => void) => void;

/**
 * Suite names, one per extension point plus lifecycle and capabilities.
 *
 * @public
 */
export type SuiteName = 'memory' | 'cpu' | 'scheduler' | 'time' | 'network' | 'disk' | 'lifecycle' | 'capabilities' | 'differential';

/**
 * What {@link runConformance} takes.
 *
 * @public
 */
export interface ConformanceOptions {
  /** The composition's name, used in titles and messages. */
  readonly name: string;
  /** Builds a fresh hypervisor of the composition on a profile. */
  readonly compose: Compose;
  /** Capabilities the composition claims (default: what its plugins declare). */
  readonly capabilities?: readonly Capability[];
  /** Only these suites (default: all). */
  readonly suites?: readonly SuiteName[];
  /** Also require domain-level performance isolation (hypervisors promise it; one OS does not). */
  readonly isolation?: boolean;
  /** Also require that spoofed source addresses are dropped (platforms with network filters). */
  readonly antiSpoofing?: boolean;
  /**
   * Contracts this composition does not keep by design, each with the reason — e.g.
   * `{ 'scheduler/proportional-share': 'strict priorities: not proportional by design' }`.
   * A waived contract is not checked; its waiver and reason are printed with the results.
   */
  readonly waivers?: Readonly<Record<string, string>>;
  /** Base seed of the generated scenarios (default fixed, or env `VISORKIT_KIT_SEED`: runs are deterministic per seed). */
  readonly seed?: number;
  /** Generated cases as a multiple of the default (1, ≤ 60 s for the kit; 10+ for a soak; env `VISORKIT_KIT_DEPTH`). */
  readonly depth?: number;
  /** Replay one failing case: the contract, seed and path its error printed (env `VISORKIT_KIT_REPLAY`). */
  readonly replay?: Replay;
  /**
   * A reference composition (bare metal, say) for the differential contract: the same
   * generated guest scenario runs on both, and what the guest sees must agree.
   */
  readonly reference?: Compose;
  /** Starts the plugin's background work (a page scanner, a balloon daemon) on every hypervisor a contract builds. */
  readonly background?: (hv: Hypervisor) => void;
}

/**
 * Kit settings from options and the environment.
 *
 * @public
 */
export function kitSettings(options: Pick<ConformanceOptions, 'seed' | 'depth' | 'replay' | 'background'>): KitSettings {
  return {
    seed: options.seed ?? seedFromEnvironment() ?? DEFAULT_KIT_SEED,
    depth: options.depth ?? depthFromEnvironment() ?? 1,
    replay: options.replay ?? replayFromEnvironment(),
    background: options.background,
  };
}

/**
 * Every contract of the kit, by suite; a waived contract carries its waiver.
 *
 * @public
 */
export function contractsFor(
  options: Pick<ConformanceOptions, 'capabilities' | 'isolation' | 'antiSpoofing' | 'waivers' | 'seed' | 'depth' | 'replay' | 'background' | 'reference'>,
): Readonly<Record<SuiteName, readonly Contract[]>> {
  const s = kitSettings(options);
  const suites: Record<SuiteName, readonly Contract[]> = {
    memory: memoryContracts(s),
    cpu: cpuContracts(s),
    scheduler: schedulerContracts(s, options.isolation === true),
    time: timeContracts(s),
    network: [
      ...networkContracts(s),
      ...(options.antiSpoofing === true ? [antiSpoofingContract(s)] : []),
      ...(options.isolation === true ? [dmaBuffersContract(s)] : []),
    ],
    disk: blockContracts(s),
    lifecycle: lifecycleContracts(s),
    capabilities: capabilityContracts(s, options.capabilities),
    differential: differentialContracts(s, options.reference),
  };
  const waivers = options.waivers ?? {};
  for (const [suite, list] of Object.entries(suites) as [SuiteName, readonly Contract[]][]) {
    suites[suite] = list.map((c) => {
      const waiver = waivers[c.contract];
      return waiver === undefined ? c : { ...c, waiver };
    });
  }
  return suites;
}

/**
 * Registers one test per contract with ava's `test`. Each builds fresh hypervisors with
 * `compose`, runs the contract's generated scenarios, and fails with a
 * ContractViolationError that names the contract, says what the machine recorded, and how
 * to replay the shrunk case. A waived contract's test passes and logs its waiver.
 *
 * @example
 * import test from 'ava';
 * import { runConformance } from '@visorkit/conformance';
 * runConformance(test, { name: 'my-plugin', compose: (profile) => createHypervisor({ machine: profile, plugins: [myPlugin] }) });
 *
 * @public
 */
export function runConformance(test: TestRegistrar, options: ConformanceOptions): void {
  const suites = contractsFor(options);
  for (const [suite, contracts] of Object.entries(suites) as [SuiteName, readonly Contract[]][]) {
    if (options.suites !== undefined && !options.suites.includes(suite)) continue;
    for (const c of contracts) {
      if (c.waiver !== undefined) {
        test(`${options.name}: ${c.sentence} — WAIVED: ${c.waiver}`, (t) => {
          t.log?.(`contract '${c.contract}' waived by '${options.name}': ${c.waiver}`);
          t.pass();
        });
        continue;
      }
      test(`${options.name}: ${c.sentence}`, (t) => {
        c.check(options.compose, options.name);
        t.pass();
      });
    }
  }
}

export type { Contract };
