import 'reflect-metadata';
import test from 'ava';
import fc from 'fast-check';
import {
  CheckpointCorruptError,
  CheckpointVersionError,
  CostCategory,
  checkpointDomain,
  createHypervisor,
  crc32,
  modern,
  restoreDomain,
  type BurstExit,
  type CheckpointableProgram,
  type Domain,
  type Hypervisor,
  type ProgramRegistry,
  type Vcpu,
} from '@visorkit/core';
import { hwAssistPlugin } from '../../src/index.js';

interface StepperState {
  step: number;
  acc: number;
}

/** Steps a stepper does before it halts. */
const TOTAL_STEPS = 60_000;
/** Cycles of guest work per step. */
const STEP_CYCLES = 5000;

/** A deterministic guest: a PRNG walk whose values it writes across 64 pages of its memory, then halts. */
class Stepper implements CheckpointableProgram {
  readonly kind = 'stepper';
  constructor(
    readonly hv: Hypervisor,
    readonly domain: Domain,
    readonly s: StepperState = { step: 0, acc: 1 },
  ) {}
  run(vcpu: Vcpu, budget: number): BurstExit {
    const bytes = new Uint8Array(4);
    while (vcpu.burstCycles + STEP_CYCLES <= budget) {
      if (this.s.step >= TOTAL_STEPS) return 'halted';
      this.s.acc = (Math.imul(this.s.acc, 1103515245) + 12345) >>> 0;
      const gfn = 100 + (this.s.step % 64);
      if (this.hv.memory.machineFrame(this.domain, gfn as never, 'read') < 0) this.hv.memory.zeroFrame(vcpu, gfn as never);
      new DataView(bytes.buffer).setUint32(0, this.s.acc, true);
      this.hv.machine.memory.writeBytes(this.hv.memory.machineFrame(this.domain, gfn as never, 'write'), (this.s.step % 1024) * 4, bytes);
      this.s.step++;
      vcpu.charge(CostCategory.GuestUser, STEP_CYCLES);
    }
    return 'budget';
  }
  saveState(): unknown {
    return { ...this.s };
  }
}

const registry: ProgramRegistry = { stepper: (state, hv, domain) => new Stepper(hv, domain, { ...(state as StepperState) }) };

function memoryDigest(hv: Hypervisor, d: Domain): number {
  const page = new Uint8Array(4096);
  let h = 0;
  for (let g = 100; g < 164; g++) {
    const mfn = hv.memory.machineFrame(d, g as never, 'read');
    if (mfn < 0) continue;
    hv.machine.memory.readBytes(mfn, 0, page);
    h = (Math.imul(h, 31) + crc32(page)) >>> 0;
  }
  return h;
}

function boot(hv: Hypervisor): Domain {
  const d = hv.createDomain({ name: 'g', memoryMiB: 16 });
  hv.start(d, () => new Stepper(hv, d));
  return d;
}

test('a run checkpointed at any point and resumed ends in exactly the state of the uninterrupted run', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 90 }), (checkpointMs) => {
      const end = 400e6; // long after the stepper halts (~100 ms of work)
      // Uninterrupted reference run.
      const ref = createHypervisor({ machine: modern, plugins: [hwAssistPlugin], options: { cores: 1 } });
      const rd = boot(ref);
      ref.runUntil(checkpointMs * 1e6);
      ref.pause(rd);
      ref.runUntil(checkpointMs * 1e6 + 10e6);
      const at = ref.now;
      const file = checkpointDomain(ref, rd);
      ref.unpause(rd);
      ref.runUntil(end);
      // Resumed on another machine, from the file.
      const other = createHypervisor({ machine: modern, plugins: [hwAssistPlugin], options: { cores: 1 } });
      other.runUntil(at);
      const od = restoreDomain(other, file, registry);
      other.start(od);
      other.runUntil(end);
      const a = rd.vcpus[0]!.program as Stepper;
      const b = od.vcpus[0]!.program as Stepper;
      // Same guest state, memory and guest work; the resumed run also paid one VM entry on the
      // new machine, which shifts when it finished, not what it computed.
      return (
        a.s.step === TOTAL_STEPS &&
        a.s.step === b.s.step &&
        a.s.acc === b.s.acc &&
        memoryDigest(ref, rd) === memoryDigest(other, od) &&
        rd.vcpus[0]!.cycles[CostCategory.GuestUser] === od.vcpus[0]!.cycles[CostCategory.GuestUser] &&
        ref.counts(rd)['page-zero'] === other.counts(od)['page-zero']
      );
    }),
    { numRuns: 12 },
  );
  t.pass();
});

function savedFile(): Uint8Array {
  const hv = createHypervisor({ machine: modern, plugins: [hwAssistPlugin] });
  const d = boot(hv);
  hv.runUntil(20e6);
  hv.pause(d);
  hv.runUntil(30e6);
  return checkpointDomain(hv, d);
}

test('corrupted, truncated and wrong-version files are refused and nothing is half-restored', (t) => {
  const file = savedFile();
  const hv = createHypervisor({ machine: modern, plugins: [hwAssistPlugin] });
  const free = hv.machine.memory.freeFrames;
  const flipped = file.slice();
  flipped[Math.floor(file.length / 2)]! ^= 0xff;
  t.throws(() => restoreDomain(hv, flipped, registry), { instanceOf: CheckpointCorruptError, message: /CRC-32/ });
  t.throws(() => restoreDomain(hv, file.subarray(0, file.length - 100), registry), { instanceOf: CheckpointCorruptError });
  t.throws(() => restoreDomain(hv, file.subarray(0, 5), registry), { instanceOf: CheckpointCorruptError, message: /too short/ });
  const v2 = file.slice();
  v2[4] = 2;
  t.throws(() => restoreDomain(hv, v2, registry), { instanceOf: CheckpointVersionError });
  t.throws(() => restoreDomain(hv, file, {}), { instanceOf: CheckpointCorruptError, message: /stepper/ });
  t.is(hv.domains.all().length, 0);
  t.is(hv.machine.memory.freeFrames, free);
  t.notThrows(() => restoreDomain(hv, file, registry));
});

test('a running domain must be paused before it is checkpointed', (t) => {
  const hv = createHypervisor({ machine: modern, plugins: [hwAssistPlugin] });
  const d = boot(hv);
  hv.runUntil(5e6);
  t.throws(() => checkpointDomain(hv, d), { message: /must be paused/ });
});
