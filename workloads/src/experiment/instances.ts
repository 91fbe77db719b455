import { Simulator, type Hypervisor, type Prng } from '@visorkit/core';
import { clientMachineFor } from './client-machine.js';
import { bootGuest, type GuestKernel, type Program } from '@visorkit/guest';
import { composeFor, instancesShareOneKernel, type ExperimentContext, type PlatformSpec } from './experiment.js';
import { createDomainFor, guestOptionsFor, hostMemoryFor } from './domain-input.js';

/**
 * Where an instance of a workload lives, as {@link WorkloadInstance.build} is told.
 *
 * @public
 */
export interface Placement {
  /** The instance's number within the run (program paths are suffixed with it). */
  readonly index: number;
  /** Its guest's network address, and the port its server should listen on. */
  readonly address: string;
  readonly port: number;
  /** The instance's own random stream: a fork of the run's `Simulator.random`. */
  readonly random: Prng;
}

/**
 * What one instance installs and runs, and how its progress is read.
 *
 * @public
 */
export interface BuiltInstance {
  readonly programs: Readonly<Record<string, { program: Program; textPages?: number; dataPages?: number; bssPages?: number }>>;
  readonly files: Readonly<Record<string, number>>;
  readonly run: readonly string[];
  /** A load generator to run on the clients' machine, if the workload is a server. */
  readonly client?: Program;
  /** Work done so far (requests, transactions, bytes, iterations…). */
  progress(): number;
}

/**
 * A workload that can be instantiated on any platform.
 *
 * @public
 */
export interface WorkloadInstance {
  /** The workload's name (metric names and `workload` keys use it). */
  readonly name: string;
  /** Unit of its score (per second of simulated time). */
  readonly unit: string;
  build(place: Placement): BuiltInstance;
}

/**
 * How to lay instances out.
 *
 * @public
 */
export interface InstanceRunOptions {
  /** Memory each instance's domain gets (processes of one OS share the sum). */
  readonly memoryMiB: number;
  /** Simulated time to warm up (caches filled, servers started), then to measure. */
  readonly warmupNs: number;
  readonly measureNs: number;
  /** Process limit of each guest kernel (a user's `ulimit -u`). */
  readonly maxProcesses?: number;
  /**
   * Instances (by index) started only once the warm-up is over, then given `settleNs` before
   * measuring: intruders arriving at a running, warmed-up system.
   */
  readonly startLate?: readonly number[];
  readonly settleNs?: number;
}

/**
 * Rates of each instance (units per simulated second) and the machine's counts.
 *
 * @public
 */
export interface InstanceRates {
  readonly rates: number[];
  readonly counts: Record<string, number>;
  readonly hv: Hypervisor;
}

const CLIENT_ADDRESS = '10.0.1.1';

/**
 * Runs `instances` side by side on `platform` as that platform isolates them: processes of
 * one OS (native: one kernel with every CPU and the memory of all), or one domain or context
 * each (its own kernel, memory and address). Servers' clients run on a second, wired machine.
 * Returns each instance's rate over the measurement window.
 *
 * @public
 */
export function runInstances(
  ctx: ExperimentContext,
  platform: PlatformSpec,
  instances: readonly WorkloadInstance[],
  options: InstanceRunOptions,
): InstanceRates {
  const sim = new Simulator(ctx.seed);
  const n = instances.length;
  // One kernel under every instance: one OS's processes, or one VM's contexts (stacked).
  const oneOs = instancesShareOneKernel(platform);
  const contextOf = (i: number): number => (platform.isolation === 'contexts' ? i + 1 : 0);
  const defaultHost = Math.max(2048, options.memoryMiB * n + 512);
  // Domain files shape the instances' own domains (one OS's processes have none of their own).
  const hv = composeFor(ctx, platform, {
    simulator: sim,
    memoryMiB: oneOs ? defaultHost : Math.max(defaultHost, hostMemoryFor(ctx, n, options.memoryMiB, defaultHost)!),
  });
  const addressOf = (i: number): string => (oneOs ? '10.0.0.1' : (guestOptionsFor(ctx, i).address ?? `10.0.0.${i + 1}`));
  const built = instances.map((w, i) => w.build({ index: i, address: addressOf(i), port: oneOs ? 80 + i : 80, random: sim.random.fork(`instance-${i}`) }));
  const kernels: GuestKernel[] = [];
  const late = new Set(options.startLate ?? []);
  const limits = options.maxProcesses !== undefined ? { maxProcesses: options.maxProcesses } : {};
  if (oneOs) {
    const d = hv.createDomain({ name: 'os', vcpus: Math.min(n, hv.machine.pcpus.length), memoryMiB: options.memoryMiB * n });
    kernels.push(
      bootGuest(hv, d, {
        address: '10.0.0.1',
        programs: Object.assign({}, ...built.map((b) => b.programs)),
        files: Object.assign({}, ...built.map((b) => b.files)),
        run: platform.isolation === 'contexts' ? [] : built.flatMap((b, i) => (late.has(i) ? [] : b.run)),
        diskMiB: 4096,
        ...limits,
      }),
    );
    // Contexts of one kernel: each instance's programs start in its own context.
    if (platform.isolation === 'contexts') {
      for (const [i, b] of built.entries()) if (!late.has(i)) for (const path of b.run) kernels[0]!.spawn(path, contextOf(i));
    }
  } else {
    built.forEach((b, i) => {
      const d = createDomainFor(ctx, hv, i, { name: `${instances[i]!.name}-${i}`, memoryMiB: options.memoryMiB });
      kernels.push(
        bootGuest(hv, d, {
          ...guestOptionsFor(ctx, i),
          address: addressOf(i),
          programs: b.programs,
          files: b.files,
          run: late.has(i) ? [] : b.run,
          diskMiB: 1024,
          ...limits,
        }),
      );
    });
  }
  const clientPrograms = built.flatMap((b, i) => (b.client !== undefined ? [[`/bin/client${i}`, b.client] as const] : []));
  if (clientPrograms.length > 0) {
    const clients = clientMachineFor(ctx, platform, hv);
    const cd = clients.createDomain({ name: 'clients', vcpus: clients.machine.pcpus.length, memoryMiB: 1024 });
    bootGuest(clients, cd, {
      address: CLIENT_ADDRESS,
      programs: Object.fromEntries(clientPrograms.map(([path, program]) => [path, { program }])),
      run: clientPrograms.map(([path]) => path),
    });
  }
  hv.runUntil(options.warmupNs);
  let start = options.warmupNs;
  if (late.size > 0) {
    for (const i of late) {
      for (const path of built[i]!.run) {
        if (oneOs) kernels[0]!.spawn(path, contextOf(i));
        else kernels[i]!.spawn(path);
      }
    }
    start += options.settleNs ?? 0;
    hv.runUntil(start);
  }
  const before = built.map((b) => b.progress());
  hv.runUntil(start + options.measureNs);
  const rates = built.map((b, i) => (b.progress() - before[i]!) / (options.measureNs / 1e9));
  return { rates, counts: hv.counts(), hv };
}
