import fc from 'fast-check';
import {
  Capability,
  CostCategory,
  LiveMigration,
  PageTableFrames,
  ProportionalShareScheduler,
  checkpointDomain,
  createHypervisor,
  gfn,
  restoreDomain,
  type Domain,
  type Hypervisor,
  type MachineProfile,
  type Vcpu,
  type VcpuProgram,
} from '@visorkit/core';
import type { Compose, Contract } from '../contract.js';
import { checkProperty } from '../kit/check-property.js';
import type { KitSettings } from '../kit/kit-settings.js';
import { blockAndWake, computeForever, machineFaults, machineUnderTest } from '../kit/machine-under-test.js';
import { machinesFor } from '../kit/profiles.js';
import { KitAddressSpace } from '../kit/kit-address-space.js';

/** Source frames holding fixed patterns, and the frames the writer overwrites. */
const SOURCES = 8;
const TARGETS = 48;
const FIRST_TARGET = 64;

function pattern(k: number): Uint8Array {
  return Uint8Array.from({ length: 4096 }, (_, i) => (k * 53 + i * 11 + 1) & 0xff);
}

/** The writer's step `k`: which target frame gets which source pattern (0: the frame is zeroed). */
function step(k: number, stride: number): { to: number; from: number } {
  return { to: FIRST_TARGET + ((k * stride) % TARGETS), from: k % 3 === 2 ? 0 : 1 + (k % SOURCES) };
}

/** What memory holds after `n` steps of the writer: target gfn → source index (absent: zeros). */
function modelAfter(n: number, stride: number): Map<number, number> {
  const m = new Map<number, number>();
  for (let k = 0; k < n; k++) {
    const s = step(k, stride);
    if (s.from === 0) m.delete(s.to);
    else m.set(s.to, s.from);
  }
  return m;
}

/**
 * A guest that keeps changing its memory through the plugin (page copies), a step per
 * `cyclesPerStep`: checkpointable and migratable, so a resumed or moved copy must carry on
 * exactly where it stopped.
 */
class Writer implements VcpuProgram {
  readonly kind = 'kit-writer';
  constructor(
    readonly hv: Hypervisor,
    public n: number,
    readonly stride: number,
    readonly cyclesPerStep: number,
  ) {}
  run(v: Vcpu, budget: number): 'budget' {
    let used = 0;
    while (used + this.cyclesPerStep <= budget) {
      const s = step(this.n++, this.stride);
      if (s.from === 0) this.hv.memory.zeroFrame(v, gfn(s.to));
      else this.hv.memory.copyFrame(v, gfn(s.to), gfn(s.from));
      v.charge(CostCategory.GuestUser, this.cyclesPerStep);
      used += this.cyclesPerStep;
    }
    v.charge(CostCategory.GuestUser, Math.max(1, budget - used));
    return 'budget';
  }
  saveState(): unknown {
    return { n: this.n, stride: this.stride, cyclesPerStep: this.cyclesPerStep };
  }
  migrateTo(target: Hypervisor): VcpuProgram {
    return new Writer(target, this.n, this.stride, this.cyclesPerStep);
  }
}

function writerRegistry(hv: Hypervisor): Record<string, (state: unknown) => VcpuProgram> {
  return {
    'kit-writer': (state) => {
      const s = state as { n: number; stride: number; cyclesPerStep: number };
      return new Writer(hv, s.n, s.stride, s.cyclesPerStep);
    },
  };
}

/** Sets up the source patterns (through the plugin, then the bytes). */
function seedSources(hv: Hypervisor, d: Domain): void {
  for (let k = 1; k <= SOURCES; k++) {
    hv.memory.zeroFrame(d.vcpus[0]!, gfn(k));
    hv.machine.memory.writeBytes(hv.memory.machineFrame(d, gfn(k), 'write'), 0, pattern(k));
  }
}

/** Compares `d`'s memory with the model after its writer's `n` steps; a sentence on the first difference. */
function compareWithModel(hv: Hypervisor, d: Domain, n: number, stride: number, what: string): string | undefined {
  const model = modelAfter(n, stride);
  // Frames the guest touched: the ones it wrote or zeroed (others may be absent after a move).
  const populated = new Set<number>();
  for (let g = 1; g <= SOURCES; g++) populated.add(g);
  for (let k = 0; k < n; k++) populated.add(step(k, stride).to);
  const got = new Uint8Array(4096);
  for (let g = 1; g < FIRST_TARGET + TARGETS; g++) {
    if (g > SOURCES && g < FIRST_TARGET) continue;
    const mfn = hv.memory.machineFrame(d, gfn(g), 'read');
    const source = g <= SOURCES ? g : model.get(g);
    if (mfn < 0 || !populated.has(g)) {
      if (source !== undefined) return `${what}: guest frame ${g} is missing (it should hold pattern ${source})`;
      continue;
    }
    hv.machine.memory.readBytes(mfn, 0, got);
    const want = source === undefined ? undefined : pattern(source);
    for (let i = 0; i < 4096; i++) {
      if (got[i] !== (want?.[i] ?? 0))
        return `${what}: guest frame ${g} differs at byte ${i} (${got[i]} instead of ${want?.[i] ?? 0}) after ${n} steps of the guest's writes`;
    }
  }
  return undefined;
}

/** A second machine of the same composition on the same simulator (for migration). */
function twin(hv: Hypervisor, profile: MachineProfile): Hypervisor {
  return createHypervisor({ machine: profile, plugins: hv.plugins, options: { simulator: hv.sim } });
}

interface CapScenario {
  readonly machine: number;
  readonly vcpus: number;
  readonly stride: number;
  readonly cyclesPerStep: number;
  readonly runMs: number;
  readonly mode: 'live' | 'post-copy' | 'stop-and-copy' | 'auto-converge';
  readonly busy: number;
}

const capScenario = (machines: number): fc.Arbitrary<CapScenario> =>
  fc.record({
    machine: fc.integer({ min: 0, max: machines - 1 }),
    vcpus: fc.integer({ min: 1, max: 2 }),
    stride: fc.constantFrom(1, 5, 7, 11, 13),
    cyclesPerStep: fc.constantFrom(20_000, 200_000, 2_000_000),
    runMs: fc.integer({ min: 1, max: 40 }),
    mode: fc.constantFrom('live', 'post-copy', 'stop-and-copy', 'auto-converge'),
    busy: fc.integer({ min: 0, max: 2 }),
  });

/** Each declared capability, exercised and its result compared; `undefined` when it works. */
const EXERCISE: Partial<Record<Capability, (compose: Compose, settings: KitSettings, s: CapScenario) => string | undefined>> = {
  'multiple-kernels': (compose, settings, s) => {
    const { hv } = machineUnderTest(compose, machinesFor(compose)[s.machine]!, settings);
    const a = hv.createDomain({ name: 'k1', kernel: 'linux', memoryMiB: 4 });
    const b = hv.createDomain({ name: 'k2', kernel: 'netbsd', memoryMiB: 4 });
    hv.start(a, () => computeForever);
    hv.start(b, () => computeForever);
    hv.runFor(2e7);
    if (a.vcpus[0]!.runtimeNs === 0 || b.vcpus[0]!.runtimeNs === 0) return 'two kernels were created but one never ran';
    return undefined;
  },
  'kernel-modules': (compose, settings, s) => {
    const { hv } = machineUnderTest(compose, machinesFor(compose)[s.machine]!, settings);
    const d = hv.createDomain({ name: 'km', memoryMiB: 4 });
    hv.loadKernelModule(d, 'e1000');
    return d.modules.includes('e1000') ? undefined : 'a loaded module is not listed';
  },
  'checkpoint-resume': (compose, settings, s) => {
    const profile = machinesFor(compose)[s.machine]!;
    const { hv, rec } = machineUnderTest(compose, profile, settings);
    const d = hv.createDomain({ name: 'cr', memoryMiB: 8 });
    seedSources(hv, d);
    const writer = new Writer(hv, 0, s.stride, s.cyclesPerStep);
    hv.start(d, () => writer);
    hv.runFor(s.runMs * 1e6);
    hv.pause(d);
    hv.runFor(1e7);
    const before = compareWithModel(hv, d, writer.n, s.stride, 'before the checkpoint');
    if (before !== undefined) return before;
    const file = checkpointDomain(hv, d);
    // Resume on a fresh machine, and on this one after the original is gone.
    const elsewhere = machineUnderTest(compose, profile, settings).hv;
    const moved = restoreDomain(elsewhere, file, writerRegistry(elsewhere));
    const diff = compareWithModel(elsewhere, moved, writer.n, s.stride, 'restored on another machine');
    if (diff !== undefined) return diff;
    if (moved.vcpus[0]!.runtimeNs !== d.vcpus[0]!.runtimeNs)
      return `the restored vCPU has run ${moved.vcpus[0]!.runtimeNs} ns, the checkpointed one ${d.vcpus[0]!.runtimeNs} ns`;
    hv.shutdown(d);
    hv.destroy(d);
    const back = restoreDomain(hv, file, writerRegistry(hv));
    hv.start(back);
    elsewhere.start(moved);
    hv.runFor(s.runMs * 1e6);
    elsewhere.runFor(s.runMs * 1e6);
    hv.pause(back);
    elsewhere.pause(moved);
    const n1 = (back.vcpus[0]!.program as Writer).n;
    const n2 = (moved.vcpus[0]!.program as Writer).n;
    return (
      compareWithModel(hv, back, n1, s.stride, 'resumed on the same machine') ??
      compareWithModel(elsewhere, moved, n2, s.stride, 'resumed on another machine') ??
      machineFaults(hv, rec)
    );
  },
  'live-migration': (compose, settings, s) => {
    const profile = machinesFor(compose)[s.machine]!;
    const { hv, rec } = machineUnderTest(compose, profile, settings);
    const target = twin(hv, profile);
    const targetRec = target.machine.record({ accesses: false, tlb: false });
    const d = hv.createDomain({ name: 'mig', memoryMiB: 8 });
    seedSources(hv, d);
    const writer = new Writer(hv, 0, s.stride, s.cyclesPerStep);
    hv.start(d, () => writer);
    for (let i = 0; i < s.busy; i++) hv.start(hv.createDomain({ name: `busy${i}`, memoryMiB: 4 }), () => computeForever);
    hv.runFor(s.runMs * 1e6);
    const migration = new LiveMigration(hv, d, target, { mode: s.mode, linkMbps: 1000, latencyUs: 100 });
    migration.start();
    for (let t = 0; t < 400 && migration.report === undefined; t++) hv.runFor(5e6);
    if (migration.report === undefined) return `a ${s.mode} migration did not finish in 2 s of simulated time`;
    const moved = migration.migrated!;
    target.runFor(2e7);
    if (moved.state === 'running') target.pause(moved);
    target.runFor(1e6);
    const n = (moved.vcpus[0]!.program as Writer).n;
    if (n < writer.n) return `the migrated guest resumed at step ${n}, before the ${writer.n} steps it had done`;
    return compareWithModel(target, moved, n, s.stride, `after a ${s.mode} migration`) ?? machineFaults(hv, rec) ?? machineFaults(target, targetRec);
  },
  'live-update': (compose, settings, s) => {
    const { hv, rec } = machineUnderTest(compose, machinesFor(compose)[s.machine]!, settings);
    const ds = Array.from({ length: 2 + s.busy }, (_, i) => hv.createDomain({ name: `lu${i}`, vcpus: s.vcpus, memoryMiB: 4 }));
    ds.forEach((d, i) => hv.start(d, i % 2 === 0 ? () => computeForever : blockAndWake(hv, 1e6, 2e6)));
    hv.runFor(s.runMs * 1e6);
    const swap = hv.now;
    hv.replaceScheduler(new ProportionalShareScheduler(12, 1));
    hv.runFor(3e8);
    for (const d of ds)
      for (const v of d.vcpus)
        if (!rec.runs.some((r) => r.domain === d.id && r.vcpu === v.index && r.start >= swap))
          return `${v.label} never ran after the scheduler was replaced live`;
    const ends = new Map<string, number>();
    for (const r of [...rec.runs].sort((a, b) => a.start - b.start)) {
      const key = `${r.domain}.${r.vcpu}`;
      if ((ends.get(key) ?? -1) > r.start) return `after the live update vCPU #${r.domain}.${r.vcpu} ran on two pCPUs at once`;
      ends.set(key, r.start + r.durationNs);
    }
    return machineFaults(hv, rec);
  },
  'device-passthrough': (compose, settings, s) => {
    const { hv, rec } = machineUnderTest(compose, machinesFor(compose)[s.machine]!, settings);
    const a = hv.createDomain({ name: 'vf-a', memoryMiB: 8 });
    const b = hv.createDomain({ name: 'vf-b', memoryMiB: 8 });
    const got: unknown[] = [];
    const ia = hv.network.attachInterface(a, '10.7.0.1', () => {});
    hv.network.attachInterface(b, '10.7.0.2', (f) => got.push(f.data));
    if ((hv.deviceAssignment?.assignedDevices(a) ?? 0) === 0) return undefined; // this configuration assigns no device: nothing to confine
    const dropped = hv.network.dropped;
    const bad = hv.memory.frames(a) + s.stride * 100;
    // The guest wrote its frames' bytes into its buffers: they are populated.
    for (const g of [10, 11, 12]) rec.as(a.id, () => hv.memory.zeroFrame(a.vcpus[0]!, gfn(g)));
    // Multi-page buffers, the frame outside the domain in every position.
    for (let pos = 0; pos < 3; pos++) {
      const buffers = [10, 11, 12];
      buffers[pos] = bad;
      rec.as(a.id, () => hv.network.transmit(a.vcpus[0]!, ia, { source: '10.7.0.1', destination: '10.7.0.2', bytes: 9000, buffers, data: `bad-${pos}` }));
    }
    rec.as(a.id, () => hv.network.transmit(a.vcpus[0]!, ia, { source: '10.7.0.1', destination: '10.7.0.2', bytes: 9000, buffers: [10, 11, 12], data: 'good' }));
    hv.runFor(1e8);
    if (got.some((x) => x !== 'good'))
      return `an assigned device sent a frame whose DMA buffers include guest frame ${bad}, outside the sender's memory (the IOMMU must confine it)`;
    if (!got.includes('good')) return 'an assigned device did not deliver a frame with valid buffers';
    if (hv.network.dropped - dropped < 3) return 'frames refused by the IOMMU were not counted as dropped';
    return machineFaults(hv, rec);
  },
};

/** Declared dirty logging (what live migration rests on) records every write path. */
function dirtyLogCovers(compose: Compose, settings: KitSettings, s: CapScenario): string | undefined {
  const { hv } = machineUnderTest(compose, machinesFor(compose)[s.machine]!, settings);
  const d = hv.createDomain({ name: 'dirty', memoryMiB: 8 });
  const m = hv.memory;
  const log = hv.dirtyLog;
  if (log === undefined) return 'live migration is declared but no plugin binds the DirtyLogging point';
  seedSources(hv, d);
  const v = d.vcpus[0]!;
  // The guest's own store through a writable mapping (tables built before logging starts).
  const space = new KitAddressSpace(hv, v, new PageTableFrames(200), 1);
  space.map(5, 150 + (s.stride % 7), true);
  space.activate();
  log.startDirtyLog(d);
  log.collectDirty(d);
  const written = new Map<number, string>();
  for (let k = 0; k < 12; k++) {
    const x = step(k, s.stride);
    if (k % 2 === 0) m.copyFrame(v, gfn(x.to), gfn(1 + (k % SOURCES)));
    else m.zeroFrame(v, gfn(x.to));
    written.set(x.to, k % 2 === 0 ? 'a page copy' : 'a page zero');
  }
  const stored = m.translate(v, 5, true);
  if (stored >= 0) written.set(stored, 'a store through a writable translation');
  const dirty = new Set<number>(log.collectDirty(d));
  for (const [g, how] of written) if (!dirty.has(g)) return `guest frame ${g} was written by ${how} while dirty logging was on, and the log does not list it`;
  return undefined;
}

/**
 * Capability contracts: what is declared is exercised and compared; what is not is refused.
 *
 * @public
 */
export function capabilityContracts(settings: KitSettings, declared: readonly Capability[] | undefined): readonly Contract[] {
  return [
    {
      contract: 'capabilities/declared-capabilities-work',
      sentence:
        'each declared capability is exercised and its result compared: checkpoint/resume bit for bit, live migration with memory compared after, live update under running domains, device assignment confined by the IOMMU',
      check(compose, name) {
        const machines = machinesFor(compose);
        const caps = new Set(declared ?? compose(machines[0]!).capabilities);
        const exercised = [...caps].filter((c) => EXERCISE[c] !== undefined);
        if (exercised.length === 0) return;
        checkProperty(
          this.contract,
          name,
          settings,
          fc.tuple(fc.constantFrom(...exercised), capScenario(machines.length)),
          Math.max(6, 3 * exercised.length),
          ([c, s]) => {
            const seen = (c === Capability.LiveMigration ? dirtyLogCovers(compose, settings, s) : undefined) ?? EXERCISE[c]!(compose, settings, s);
            return seen === undefined ? undefined : `'${c}' is declared, but: ${seen}`;
          },
        );
      },
    },
  ];
}
