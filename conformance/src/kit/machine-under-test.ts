import {
  CostCategory,
  HYPERVISOR_OWNER,
  NO_OWNER,
  VisorkitError,
  type Domain,
  type Hypervisor,
  type MachineProfile,
  type MachineRecorder,
  type Vcpu,
  type VcpuProgram,
} from '@visorkit/core';
import type { Compose } from '../contract.js';
import type { KitSettings } from './kit-settings.js';

/**
 * A hypervisor under test with its machine recorder installed and the plugin's background work started.
 *
 * @public
 */
export interface MachineUnderTest {
  readonly hv: Hypervisor;
  readonly rec: MachineRecorder;
}

/**
 * Builds the composition on `profile`, records the machine, starts the plugin's background work.
 *
 * @public
 */
export function machineUnderTest(compose: Compose, profile: MachineProfile, settings: KitSettings): MachineUnderTest {
  const hv = compose(profile);
  const rec = hv.machine.record({ accesses: false, tlb: false });
  settings.background?.(hv);
  return { hv, rec };
}

function ownerName(hv: Hypervisor, owner: number): string {
  if (owner === NO_OWNER) return 'nobody (a free frame)';
  if (owner === HYPERVISOR_OWNER) return 'the hypervisor';
  return `domain '${hv.domains.all().find((d) => d.id === owner)?.name ?? `#${owner}`}'`;
}

function domainName(hv: Hypervisor, id: number): string {
  return `'${hv.domains.all().find((d) => d.id === id)?.name ?? `#${id}`}'`;
}

/**
 * What the recorder saw that no plugin may do: a frame touched during one domain's activity
 * (or DMA'd for it) that another domain or nobody owned, or a TLB entry filled during one
 * domain's activity used during another's. Undefined when the machine stayed clean.
 *
 * @public
 */
export function machineFaults(hv: Hypervisor, rec: MachineRecorder): string | undefined {
  const f = rec.foreign[0];
  if (f !== undefined)
    return `the machine recorded a ${f.kind} of machine frame ${f.frame}, owned by ${ownerName(hv, f.owner)}, during domain ${domainName(hv, f.actor)}'s activity at ${f.time} ns (${rec.foreign.length} such access(es))`;
  const l = rec.tlbLeaks[0];
  if (l !== undefined)
    return `pCPU ${l.pcpu}'s TLB entry for page ${l.page} (tag ${l.tag}), filled during domain ${domainName(hv, l.insertedBy)}'s activity, was used during domain ${domainName(hv, l.usedBy)}'s at ${l.time} ns (${rec.tlbLeaks.length} such hit(s))`;
  return undefined;
}

/**
 * True for a typed visorkit error (what a refusal must be).
 *
 * @public
 */
export function isTypedRefusal(e: unknown): boolean {
  return VisorkitError.is(e);
}

/**
 * A vCPU program that runs a list of steps inside real bursts (so the core runner places
 * it on pCPUs and world-switches around it), `stepCycles` per step, then computes, blocks
 * or halts. A step returning a string records a violation.
 *
 * @public
 */
export class ScriptProgram implements VcpuProgram {
  #next = 0;
  /** What steps reported. */
  readonly violations: string[];

  constructor(
    readonly steps: readonly ((vcpu: Vcpu) => string | undefined | void)[],
    violations: string[],
    readonly after: 'compute' | 'halt' = 'compute',
    readonly stepCycles = 20_000,
  ) {
    this.violations = violations;
  }

  get done(): boolean {
    return this.#next >= this.steps.length;
  }

  run(vcpu: Vcpu, budget: number): 'budget' | 'halted' {
    let used = 0;
    while (this.#next < this.steps.length && used < budget) {
      const seen = this.steps[this.#next++]!(vcpu);
      if (typeof seen === 'string') this.violations.push(seen);
      vcpu.charge(CostCategory.GuestKernel, this.stepCycles);
      used += this.stepCycles;
    }
    if (this.#next < this.steps.length) return 'budget';
    if (this.after === 'halt') return 'halted';
    vcpu.charge(CostCategory.GuestUser, Math.max(1, budget - used));
    return 'budget';
  }
}

/**
 * A program that computes forever.
 *
 * @public
 */
export const computeForever: VcpuProgram = { run: (v, b) => (v.charge(CostCategory.GuestUser, b), 'budget') };

/**
 * A program that computes `runNs` then blocks for `sleepNs` (woken by a simulator event,
 * not through any plugin), forever: an interactive or I/O-bound domain.
 *
 * @public
 */
export function blockAndWake(hv: Hypervisor, runNs: number, sleepNs: number): (vcpu: Vcpu) => VcpuProgram {
  return (vcpu) => {
    let left = runNs;
    return {
      run(v, budget) {
        const cycles = Math.min(budget, Math.max(1, left * hv.machine.profile.cpu.clockGhz));
        v.charge(CostCategory.GuestUser, cycles);
        left -= cycles / hv.machine.profile.cpu.clockGhz;
        if (left > 0.5) return 'budget';
        left = runNs;
        // The burst's own clock: the simulator's stands at the burst's start until it ends.
        hv.sim.scheduleAt(Math.ceil(v.now()) + sleepNs, () => {
          if (vcpu.domain.state === 'running') hv.runner.wake(vcpu);
        });
        return 'blocked';
      },
    };
  };
}

/**
 * Names domains `d0`, `d1`…
 *
 * @public
 */
export function domainNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `d${i}`);
}

/**
 * Destroys `d` whatever state it is in (shut down first if running or paused).
 *
 * @public
 */
export function forceDestroy(hv: Hypervisor, d: Domain): void {
  if (d.state === 'running' || d.state === 'paused') hv.shutdown(d);
  if (d.state !== 'destroyed') hv.destroy(d);
}
