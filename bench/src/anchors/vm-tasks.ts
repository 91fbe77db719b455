import 'reflect-metadata';
import { CostCategory, createHypervisor, findProfile, type Hypervisor } from '@visorkit/core';
import { bootGuest, type Program } from '@visorkit/guest';
import { xenPvPlugin } from '@visorkit/xen-pv';

/**
 * The anchor scenario (bench/anchors/README.md): `n` single-vCPU VMs on one host with
 * `cores` pCPUs, each VM's guest kernel running one process that does `k` equal compute
 * tasks of `taskMs` milliseconds of CPU at the profile's clock, one after the other.
 * Everything runs in the real simulator: domains are created and booted with `bootGuest`,
 * the platform's own vCPU scheduler shares the pCPUs, and the run ends when every guest
 * process has finished. No analytic shortcut: the makespan is read from the guests' clocks.
 */
export interface VmTasksOptions {
  readonly n: number;
  readonly k: number;
  readonly taskMs: number;
  /** Machine profile name (default `server-2007`). */
  readonly profile?: string;
  /** pCPUs (default 2). */
  readonly cores?: number;
  /** Memory of each VM in MiB (default 8). */
  readonly vmMemoryMiB?: number;
}

/** One point of the comparison. Field names are read by bench/anchors/run.sh. */
export interface VmTasksResult {
  readonly simulator: 'visorkit';
  readonly n: number;
  readonly k: number;
  readonly taskMs: number;
  /** Makespan: simulated seconds from boot until the last task of the last VM finished. */
  readonly simulatedSeconds: number;
  /** Host wall seconds to build the hypervisor, create and boot the VMs and run to the end. */
  readonly wallSeconds: number;
  readonly profile: string;
  /** Clock of the profile: a task is `taskMs * 1e6 * clockGhz` cycles (SimGrid: flops at clockGhz * 1e9 flop/s). */
  readonly clockGhz: number;
  readonly taskCycles: number;
  readonly platform: string;
  readonly scheduler: string;
  readonly cores: number;
  /** Simulator events dispatched (one per vCPU burst plus wake-ups). */
  readonly events: number;
  /** World switches between domains (mechanism count summed over the VMs). */
  readonly worldSwitches: number;
  /**
   * CPU seconds the VMs' vCPUs were charged, by cost category: the tasks themselves
   * (`guestUser`), the guest kernels (boot, exec, page faults, scheduling) and the hypervisor
   * (world switches, hypercalls). Everything above `guestUser` is the simulated overhead.
   */
  readonly cpuSeconds: { readonly guestUser: number; readonly guestKernel: number; readonly hypervisor: number };
}

/** Runs the scenario once in the real simulator and reports its makespan and wall time. */
export function runVmTasks(o: VmTasksOptions): VmTasksResult {
  const { n, k, taskMs } = o;
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`n must be a positive integer, got ${n}`);
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`k must be a positive integer, got ${k}`);
  if (!(taskMs > 0)) throw new Error(`taskMs must be positive, got ${taskMs}`);
  const profile = findProfile(o.profile ?? 'server-2007');
  const cores = o.cores ?? 2;
  const vmMemoryMiB = o.vmMemoryMiB ?? 8;
  const taskCycles = Math.round(taskMs * 1e6 * profile.cpu.clockGhz);

  const t0 = performance.now();
  const hv: Hypervisor = createHypervisor({
    machine: profile,
    // Xen paravirtualisation with the plugin's defaults (Xen 3: the credit scheduler).
    plugins: [xenPvPlugin],
    options: { seed: 1, cores, memoryMiB: Math.max(profile.memory.sizeMiB, n * vmMemoryMiB + 256) },
  });
  let finished = 0;
  let makespanNs = 0;
  const tasks: Program = function* (sys) {
    for (let t = 0; t < k; t++) yield* sys.compute(taskCycles);
    // The guest's clock (vsyscall: no kernel entry) at the end of its last task.
    const end = yield* sys.now();
    if (end > makespanNs) makespanNs = end;
    finished++;
    return 0;
  };
  for (let i = 0; i < n; i++) {
    const d = hv.createDomain({ name: `vm${i}`, vcpus: 1, memoryMiB: vmMemoryMiB });
    bootGuest(hv, d, { programs: { '/bin/tasks': { program: tasks } }, run: ['/bin/tasks'] });
  }
  hv.runWhile(() => finished < n);
  const wallSeconds = (performance.now() - t0) / 1000;
  if (finished !== n) throw new Error(`only ${finished} of ${n} VMs finished their tasks (simulation ran dry at ${hv.now} ns)`);
  const counts = hv.counts();
  const cycles = [0, 0, 0];
  for (const d of hv.domains.all()) {
    for (const v of d.vcpus) for (let c = 0; c < cycles.length; c++) cycles[c]! += v.cycles[c]!;
  }
  const seconds = (category: number): number => cycles[category]! / (profile.cpu.clockGhz * 1e9);
  const result: VmTasksResult = {
    simulator: 'visorkit',
    n,
    k,
    taskMs,
    simulatedSeconds: makespanNs / 1e9,
    wallSeconds,
    profile: profile.name,
    clockGhz: profile.cpu.clockGhz,
    taskCycles,
    platform: hv.name,
    scheduler: hv.scheduler.name,
    cores: hv.machine.pcpus.length,
    events: hv.sim.dispatched,
    worldSwitches: counts['world-switch'] ?? 0,
    cpuSeconds: { guestUser: seconds(CostCategory.GuestUser), guestKernel: seconds(CostCategory.GuestKernel), hypervisor: seconds(CostCategory.Hypervisor) },
  };
  hv.dispose();
  return result;
}
