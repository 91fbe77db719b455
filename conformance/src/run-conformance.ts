import type { Capability } from '@visorkit/core';
import type { Compose, Contract } from './contract.js';
import { memoryContracts } from './contracts/memory-contracts.js';
import { antiSpoofingContract, blockContracts, capabilityContracts, cpuContracts, lifecycleContracts, networkContracts, schedulerContracts, timeContracts } from './contracts/other-contracts.js';

/** The part of ava's `test` the kit uses (so the kit does not depend on ava). */
export type TestRegistrar = (title: string, implementation: (t: { pass(): void }) => void) => void;

/** Suite names, one per extension point plus lifecycle and capabilities. */
export type SuiteName = 'memory' | 'cpu' | 'scheduler' | 'time' | 'network' | 'disk' | 'lifecycle' | 'capabilities';

/** What {@link runConformance} takes. */
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
}

/** Every contract of the kit, by suite. */
export function contractsFor(options: Pick<ConformanceOptions, 'capabilities' | 'isolation' | 'antiSpoofing'>): Readonly<Record<SuiteName, readonly Contract[]>> {
  return {
    memory: memoryContracts,
    cpu: cpuContracts,
    scheduler: schedulerContracts(options.isolation === true),
    time: timeContracts,
    network: options.antiSpoofing === true ? [...networkContracts, antiSpoofingContract] : networkContracts,
    disk: blockContracts,
    lifecycle: lifecycleContracts,
    capabilities: capabilityContracts(options.capabilities),
  };
}

/**
 * Registers one test per contract with ava's `test`. Each builds fresh hypervisors with
 * `compose` and fails with a ContractViolationError that names the contract.
 *
 * @example
 * import test from 'ava';
 * import { runConformance } from '@visorkit/conformance';
 * runConformance(test, { name: 'my-plugin', compose: (profile) => createHypervisor({ machine: profile, plugins: [myPlugin] }) });
 */
export function runConformance(test: TestRegistrar, options: ConformanceOptions): void {
  const suites = contractsFor(options);
  for (const [suite, contracts] of Object.entries(suites) as [SuiteName, readonly Contract[]][]) {
    if (options.suites !== undefined && !options.suites.includes(suite)) continue;
    for (const c of contracts) {
      test(`${options.name}: ${c.sentence}`, (t) => {
        c.check(options.compose, options.name);
        t.pass();
      });
    }
  }
}
