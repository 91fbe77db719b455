import { Simulator, connectMachines, type Hypervisor } from '@visorkit/core';
import { composeFor, type ComposeOptions, type ExperimentContext, type PlatformSpec } from './experiment.js';

/**
 * A machine under test and a second machine for the clients, on one wire and one clock.
 *
 * @public
 */
export interface TwoMachines {
  readonly sim: Simulator;
  /** The machine running the platform under test. */
  readonly server: Hypervisor;
  /** The clients' machine: the run's bare-metal platform when it has one. */
  readonly clients: Hypervisor;
}

/**
 * Composes `platform` and a clients' machine of the same profile wired to it, as the seed's
 * network and web experiments put their clients on another host. The clients' machine runs
 * the run's `processes`-isolation (native) platform if one is given, otherwise `platform`.
 *
 * @public
 */
export function withClientMachine(ctx: ExperimentContext, platform: PlatformSpec, options: Partial<ComposeOptions> = {}): TwoMachines {
  const sim = new Simulator(ctx.seed);
  const server = composeFor(ctx, platform, { ...options, simulator: sim });
  return { sim, server, clients: clientMachineFor(ctx, platform, server) };
}

/**
 * A clients' machine of the run's profile, wired to `server` (on its simulator).
 *
 * @public
 */
export function clientMachineFor(ctx: ExperimentContext, platform: PlatformSpec, server: Hypervisor): Hypervisor {
  const clientPlatform = ctx.platforms.find((p) => p.isolation === 'processes') ?? platform;
  const clients = clientPlatform.compose(ctx.profile, { seed: ctx.seed, simulator: server.sim, cores: 2, memoryMiB: 2048 });
  connectMachines(server, clients);
  return clients;
}
