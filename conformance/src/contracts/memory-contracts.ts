import fc from 'fast-check';
import {
  HYPERVISOR_OWNER,
  PTE_PRESENT,
  PageTableFrames,
  TRANSLATION_FAULT,
  gfn as toGfn,
  guestSuppliedGfn,
  pteFrame,
  type Domain,
  type Hypervisor,
  type MachineProfile,
  type MachineRecorder,
  type Vcpu,
} from '@visorkit/core';
import type { Compose, Contract } from '../contract.js';
import { checkProperty } from '../kit/check-property.js';
import { KitAddressSpace } from '../kit/kit-address-space.js';
import type { KitSettings } from '../kit/kit-settings.js';
import { ScriptProgram, computeForever, domainNames, forceDestroy, isTypedRefusal, machineFaults, machineUnderTest } from '../kit/machine-under-test.js';
import { machinesFor, resized } from '../kit/profiles.js';

/** Virtual pages the scenarios use, and the guest frames data pages come from. */
const PAGES = 40;
const DATA_BASE = 3000;

type MemoryOp =
  | { readonly k: 'map'; readonly s: number; readonly vpn: number; readonly gfn: number; readonly w: boolean }
  | { readonly k: 'unmap'; readonly s: number; readonly vpn: number }
  | { readonly k: 'switch'; readonly s: number }
  | {
      readonly k: 'batch';
      readonly s: number;
      readonly writes: readonly { readonly vpn: number; readonly gfn: number; readonly w: boolean }[];
      readonly inside: boolean;
    }
  | { readonly k: 'fresh'; readonly s: number }
  | { readonly k: 'foreign'; readonly s: number; readonly vpn: number; readonly beyond: number; readonly batched: boolean; readonly position: number };

// Often a few hot pages (remapped while cached), sometimes anywhere.
const vpn = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: PAGES - 1 }));
const gfn = fc.integer({ min: 0, max: 63 });
const space = fc.integer({ min: 0, max: 1 });
const memoryOp: fc.Arbitrary<MemoryOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('map' as const), s: space, vpn, gfn, w: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('unmap' as const), s: space, vpn }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('switch' as const), s: space }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('batch' as const),
      s: space,
      writes: fc.array(fc.record({ vpn, gfn: fc.integer({ min: -1, max: 63 }), w: fc.boolean() }), { minLength: 1, maxLength: 10 }),
      inside: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('fresh' as const), s: space }) },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('foreign' as const),
      s: space,
      vpn,
      beyond: fc.integer({ min: 0, max: 5000 }),
      batched: fc.boolean(),
      position: fc.integer({ min: 0, max: 3 }),
    }),
  },
);

interface Mapping {
  gfn: number;
  w: boolean;
}

/** One vCPU's scenario state: two address spaces, their reference models, the active one. */
class VcpuModel {
  readonly spaces: KitAddressSpace[] = [];
  readonly models: Map<number, Mapping>[] = [new Map(), new Map()];
  active = -1;
  readonly frames: PageTableFrames;
  constructor(
    readonly hv: Hypervisor,
    readonly vcpu: Vcpu,
  ) {
    this.frames = new PageTableFrames(1 + vcpu.index * 600);
  }
  /** Address-space ids are unique in the domain (as a kernel's are); `fresh` reuses one for new tables. */
  id(s: number): number {
    return this.vcpu.index * 2 + s + 1;
  }
  space(s: number): KitAddressSpace {
    if (this.spaces[s] === undefined) this.spaces[s] = new KitAddressSpace(this.hv, this.vcpu, this.frames, this.id(s));
    return this.spaces[s]!;
  }
}

/** Checks every page of the active space against the model; a sentence on the first mismatch. */
function probe(hv: Hypervisor, m: VcpuModel, after: string): string | undefined {
  if (m.active < 0) return undefined;
  const model = m.models[m.active]!;
  for (let p = 0; p < PAGES; p++) {
    const want = model.get(p);
    const r = hv.memory.translate(m.vcpu, p, false);
    const rw = hv.memory.translate(m.vcpu, p, true);
    const expectR = want === undefined ? TRANSLATION_FAULT : DATA_BASE + want.gfn;
    const expectW = want !== undefined && want.w ? DATA_BASE + want.gfn : TRANSLATION_FAULT;
    if (r !== expectR || rw !== expectW) {
      return `after ${after}, ${m.vcpu.label} (address space ${m.active + 1}) translated page ${p} to ${r} for reading and ${rw} for writing; its page tables say ${expectR} and ${expectW}`;
    }
  }
  return undefined;
}

/** The steps of one vCPU's program for its ops. */
function steps(hv: Hypervisor, m: VcpuModel, ops: readonly MemoryOp[]): ((v: Vcpu) => string | undefined)[] {
  const mem = hv.memory;
  const out: ((v: Vcpu) => string | undefined)[] = [() => (m.space(0), m.space(0).activate(), (m.active = 0), probe(hv, m, 'the first switch'))];
  for (const op of ops) {
    out.push((v) => {
      const sp = m.space(op.s);
      const model = m.models[op.s]!;
      switch (op.k) {
        case 'map':
          sp.map(op.vpn, DATA_BASE + op.gfn, op.w);
          mem.invalidatePage(v, op.vpn);
          model.set(op.vpn, { gfn: op.gfn, w: op.w });
          return probe(hv, m, `mapping page ${op.vpn} of space ${op.s + 1}`);
        case 'unmap':
          sp.map(op.vpn, -1, false);
          mem.invalidatePage(v, op.vpn);
          model.delete(op.vpn);
          return probe(hv, m, `unmapping page ${op.vpn} of space ${op.s + 1}`);
        case 'switch':
          sp.activate();
          m.active = op.s;
          return probe(hv, m, `switching to space ${op.s + 1}`);
        case 'batch': {
          // The lazy-MMU path: tables built first (a kernel allocates them outside the batch).
          for (const w of op.writes) sp.leaf(w.vpn);
          mem.beginBatch(v);
          for (const w of op.writes) sp.map(w.vpn, w.gfn < 0 ? -1 : DATA_BASE + w.gfn, w.w);
          // A kernel may invalidate inside the batch (the invalidations ride along) or after it.
          if (op.inside) for (const w of op.writes) mem.invalidatePage(v, w.vpn);
          mem.flushBatch(v);
          for (const w of op.writes) {
            if (!op.inside) mem.invalidatePage(v, w.vpn);
            if (w.gfn < 0) model.delete(w.vpn);
            else model.set(w.vpn, { gfn: w.gfn, w: w.w });
          }
          return probe(hv, m, `a batch of ${op.writes.length} update(s) to space ${op.s + 1}`);
        }
        case 'fresh': {
          // A process exits and a new one reuses its address-space id with new tables.
          m.spaces[op.s] = new KitAddressSpace(hv, v, m.frames, m.id(op.s));
          m.models[op.s] = new Map();
          if (m.active === op.s) {
            m.spaces[op.s]!.activate();
          }
          return probe(hv, m, `replacing space ${op.s + 1} by new tables under the same id`);
        }
        case 'foreign': {
          const bad = mem.frames(v.domain) + op.beyond;
          const { table, index } = sp.leaf(op.vpn);
          let refused = false;
          const others = Array.from({ length: op.position }, (_, i) => (op.vpn + i + 1) % PAGES).filter((p) => p !== op.vpn);
          if (op.batched) mem.beginBatch(v);
          try {
            // Good entries first, when batched: the bad one is not the first of its batch.
            if (op.batched) for (const p of others) sp.map(p, DATA_BASE + 1, false);
            mem.writePte(v, toGfn(table), index, bad * 4096 + 0x5);
          } catch (e) {
            if (!isTypedRefusal(e)) throw e;
            refused = true;
          }
          if (op.batched) {
            try {
              mem.flushBatch(v);
            } catch (e) {
              if (!isTypedRefusal(e)) throw e;
              refused = true;
            }
            for (const p of others) {
              mem.invalidatePage(v, p);
              // Whether the good entries of a refused batch went in or not, the tables now decide.
              const { table: t, index: i } = sp.leaf(p);
              const entry = mem.readPte(v, toGfn(t), i);
              if ((entry & PTE_PRESENT) !== 0 && pteFrame(entry) === DATA_BASE + 1) m.models[op.s]!.set(p, { gfn: 1, w: false });
              else if (((entry & PTE_PRESENT) !== 0) !== (m.models[op.s]!.get(p) !== undefined)) return `a refused batch left page ${p}'s entry as ${entry}`;
            }
          }
          mem.invalidatePage(v, op.vpn);
          if (!refused)
            return `${v.label} wrote an entry naming guest frame ${bad}${op.batched ? ` in a lazy-MMU batch (position ${others.length})` : ''}, outside its ${mem.frames(v.domain)} frames, and it was accepted`;
          return probe(hv, m, `a refused entry naming frame ${bad}`);
        }
      }
    });
  }
  return out;
}

/** A scenario on one of the `machines` machines the composition runs on (`machine`: its index) with the other fields drawn as given. */
function onAMachine<T>(machines: number, fields: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T & { machine: number }> {
  return fc.tuple(fc.integer({ min: 0, max: machines - 1 }), fc.record(fields)).map(([machine, rest]) => ({ ...rest, machine }));
}

const translationScenario = (machines: number) =>
  onAMachine(machines, {
    cores: fc.integer({ min: 1, max: 2 }),
    domains: fc.array(fc.array(fc.array(memoryOp, { minLength: 1, maxLength: 14 }), { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 4 }),
  });

/**
 * Builds the machine under test on `profile`, runs `scenario` on it, and returns what the
 * scenario saw go wrong or, failing that, what the machine recorded (foreign accesses, leaked
 * TLB entries).
 */
function onMachine(
  compose: Compose,
  settings: KitSettings,
  profile: MachineProfile,
  scenario: (hv: Hypervisor, rec: MachineRecorder) => string | undefined,
): string | undefined {
  const { hv, rec } = machineUnderTest(compose, profile, settings);
  return scenario(hv, rec) ?? machineFaults(hv, rec);
}

/** Runs a translation scenario; returns what went wrong, if anything. */
function runTranslations(
  compose: Compose,
  settings: KitSettings,
  scenario: { machine: number; cores: number; domains: MemoryOp[][][] },
  runMs: number,
): string | undefined {
  const profile = machinesFor(compose)[scenario.machine]!;
  const seen = onMachine(compose, settings, resized(profile, scenario.cores), (hv) => {
    const violations: string[] = [];
    const programs: ScriptProgram[] = [];
    domainNames(scenario.domains.length).forEach((n, i) => {
      const vcpuOps = scenario.domains[i]!;
      const d = hv.createDomain({ name: n, vcpus: vcpuOps.length, memoryMiB: 16 });
      hv.start(d, (v) => {
        const p = new ScriptProgram(steps(hv, new VcpuModel(hv, v), vcpuOps[v.index]!), violations, 'compute', 400_000);
        programs.push(p);
        return p;
      });
    });
    for (let t = 0; t < runMs && violations.length === 0 && !programs.every((p) => p.done); t++) hv.runFor(1e6);
    if (violations.length > 0) return violations[0];
    return programs.every((p) => p.done) ? undefined : `the scenario did not finish in ${runMs} ms of simulated time`;
  });
  return seen === undefined ? undefined : `on ${profile.name} with ${scenario.cores} pCPU(s): ${seen}`;
}

/**
 * A contract checked as a property over `runs` scenarios, each on one of the machines the
 * composition runs on: `scenario` draws them for that many machines, `judge` runs one on
 * the chosen machine and says what went wrong, if anything.
 */
function propertyContract<S extends { readonly machine: number }>(
  settings: KitSettings,
  contract: string,
  sentence: string,
  runs: number,
  scenario: (machines: number) => fc.Arbitrary<S>,
  judge: (compose: Compose, profile: MachineProfile, s: S) => string | undefined,
): Contract {
  return {
    contract,
    sentence,
    check(compose, name) {
      const machines = machinesFor(compose);
      checkProperty(contract, name, settings, scenario(machines.length), runs, (s) => judge(compose, machines[s.machine]!, s));
    },
  };
}

/**
 * Memory contracts, each a property over generated scenarios, judged against the machine's records.
 *
 * @public
 */
export function memoryContracts(settings: KitSettings): readonly Contract[] {
  return [
    propertyContract(
      settings,
      'memory/translations-agree-with-the-page-tables',
      'translations agree with a reference model after generated map, unmap, protect, batched-update and switch sequences, on every page-table format',
      14,
      // One domain, one pCPU: each format's walk and each write path, without sharing.
      (machines) =>
        onAMachine(machines, {
          cores: fc.constant(1),
          domains: fc.tuple(
            fc.tuple(
              fc.array(
                memoryOp.filter((o) => o.k !== 'foreign'),
                { minLength: 1, maxLength: 30 },
              ),
            ),
          ),
        }),
      (compose, _profile, s) => runTranslations(compose, settings, s, 400),
    ),
    propertyContract(
      settings,
      'memory/no-stale-tlb-entry-is-used',
      'no stale TLB entry is used: not after an update, an address-space switch or reuse, nor across vCPUs, pCPUs and domains, tagged TLB or not',
      20,
      (machines) =>
        translationScenario(machines).map((s) => ({
          ...s,
          cores: s.cores === 2 && s.domains.length % 2 === 0 ? 1 : s.cores,
          domains: s.domains.map((d) => d.map((ops) => ops.filter((o) => o.k !== 'foreign'))),
        })),
      (compose, _profile, s) =>
        runTranslations(compose, settings, { ...s, domains: s.domains.length < 2 ? [...s.domains, [[{ k: 'switch', s: 0 }]]] : s.domains }, 400),
    ),
    propertyContract(
      settings,
      'memory/no-domain-reaches-another-domains-frames',
      "no domain reaches another domain's frames: entries, tables, copies and balloon requests naming a frame outside the domain are refused on every path, single or batched",
      12,
      (machines) =>
        onAMachine(machines, {
          cores: fc.integer({ min: 1, max: 2 }),
          domains: fc.array(fc.array(fc.array(memoryOp, { minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 2 }), { minLength: 2, maxLength: 4 }),
          hostile: fc.array(
            fc.record({
              k: fc.constantFrom('zero', 'copy-from', 'copy-to', 'read-table', 'pin', 'activate', 'balloon'),
              d: fc.nat(),
              beyond: fc.integer({ min: 0, max: 3000 }),
              first: fc.integer({ min: 1, max: 3 }),
            }),
            { minLength: 1, maxLength: 12 },
          ),
        }),
      (compose, profile, s) => runTranslations(compose, settings, s, 400) ?? hostileCalls(compose, settings, profile, s.hostile),
    ),
    propertyContract(
      settings,
      'memory/identical-content-stays-private',
      'identical content in several domains stays each domain’s own under memory pressure and background work: a write by one is never seen by another',
      8,
      (machines) =>
        onAMachine(machines, {
          domains: fc.integer({ min: 2, max: 6 }),
          pages: fc.integer({ min: 1, max: 24 }),
          writes: fc.array(fc.record({ d: fc.nat(), page: fc.nat(), byte: fc.integer({ min: 1, max: 255 }) }), { maxLength: 12 }),
        }),
      (compose, profile, s) => identicalContent(compose, settings, profile, s),
    ),
    propertyContract(
      settings,
      'memory/destroyed-domains-return-their-frames',
      'every frame a domain held — data, page tables, whatever the plugin allocated for it — goes back when it is destroyed',
      10,
      (machines) =>
        onAMachine(machines, {
          domains: fc.array(
            fc.record({ touch: fc.array(fc.integer({ min: 0, max: 2047 }), { maxLength: 40 }), tables: fc.integer({ min: 0, max: 30 }), run: fc.boolean() }),
            { minLength: 1, maxLength: 5 },
          ),
          order: fc.array(fc.nat(), { maxLength: 5 }),
        }),
      (compose, profile, s) => returnsFrames(compose, settings, profile, s),
    ),
  ];
}

/** Calls that name frames outside the caller's domain must be refused (typed) and touch nothing. */
function hostileCalls(
  compose: Compose,
  settings: KitSettings,
  profile: MachineProfile,
  calls: readonly { k: string; d: number; beyond: number; first: number }[],
): string | undefined {
  return onMachine(compose, settings, profile, (hv, rec) => {
    const ds = [0, 1, 2].map((i) => hv.createDomain({ name: `h${i}`, memoryMiB: 8 }));
    for (const d of ds) for (let g = 0; g < 8; g++) rec.as(d.id, () => hv.memory.zeroFrame(d.vcpus[0]!, toGfn(g)));
    for (const c of calls) {
      const d = ds[c.d % ds.length]!;
      const v = d.vcpus[0]!;
      const bad = hv.memory.frames(d) + c.beyond;
      let refused = false;
      let what = '';
      try {
        rec.as(d.id, () => {
          switch (c.k) {
            case 'zero':
              what = `zeroing frame ${bad}`;
              return hv.memory.zeroFrame(v, guestSuppliedGfn(bad));
            case 'copy-from':
              what = `copying from frame ${bad}`;
              return hv.memory.copyFrame(v, toGfn(2), guestSuppliedGfn(bad));
            case 'copy-to':
              what = `copying to frame ${bad}`;
              return hv.memory.copyFrame(v, guestSuppliedGfn(bad), toGfn(2));
            case 'read-table':
              what = `reading a page table in frame ${bad}`;
              return hv.memory.readPte(v, guestSuppliedGfn(bad), 0);
            case 'pin':
              what = `pinning frame ${bad} as a page table`;
              return hv.memory.pinPageTable(v, guestSuppliedGfn(bad), 1);
            case 'activate':
              what = `loading frame ${bad} as a page-table root`;
              return hv.cpu.switchAddressSpace(v, guestSuppliedGfn(bad), 7);
            default: {
              const balloon = hv.balloon;
              if (balloon === undefined) {
                refused = true;
                return;
              }
              // Several frames, the bad one last: every one must be checked, not just the first.
              const frames = [...Array.from({ length: c.first }, (_, i) => 100 + i), bad];
              what = `giving back frames ${frames.join(', ')} through the balloon`;
              return balloon.releaseFrames(v, frames.map(guestSuppliedGfn));
            }
          }
        });
      } catch (e) {
        if (!isTypedRefusal(e)) return `${what} threw an untyped ${String(e)}`;
        refused = true;
      }
      // Pinning is bookkeeping on some platforms (a no-op on bare metal): it may be accepted if it touched nothing.
      if (!refused && c.k === 'pin') continue;
      if (!refused) return `domain '${d.name}' succeeded in ${what}, outside its ${hv.memory.frames(d)} frames`;
    }
    for (const d of ds) {
      for (let g = 0; g < 8; g++) {
        const mfn = hv.memory.machineFrame(d, toGfn(g), 'read');
        const owner = hv.machine.memory.ownerOf(mfn);
        if (owner !== d.id && owner !== HYPERVISOR_OWNER)
          return `after hostile calls, '${d.name}' frame ${g} is backed by machine frame ${mfn}, which the machine says is not its own`;
      }
    }
    return undefined;
  });
}

/** Same bytes in many domains, pressure, background work; then private writes must stay private. */
function identicalContent(
  compose: Compose,
  settings: KitSettings,
  profile: MachineProfile,
  s: { domains: number; pages: number; writes: readonly { d: number; page: number; byte: number }[] },
): string | undefined {
  // Memory pressure: a machine with little more RAM than the domains reserve.
  return onMachine(compose, settings, resized(profile, profile.cpu.cores, 16 * s.domains + 64), (hv, rec) => {
    const ds = domainNames(s.domains).map((n) => hv.createDomain({ name: n, memoryMiB: 16 }));
    const pattern = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7 + 3) & 0xff);
    const expected = new Map<string, number>();
    for (const d of ds) {
      const v = d.vcpus[0]!;
      rec.as(d.id, () => {
        hv.memory.zeroFrame(v, toGfn(4000)); // a source page of the pattern
        hv.machine.memory.writeBytes(hv.memory.machineFrame(d, toGfn(4000), 'write'), 0, pattern);
        for (let p = 0; p < s.pages; p++) hv.memory.copyFrame(v, toGfn(10 + p), toGfn(4000));
      });
      hv.start(d, () => computeForever);
    }
    hv.runFor(5e7); // background work (a page scanner) gets time to act on the identical pages
    for (const w of s.writes) {
      const d = ds[w.d % ds.length]!;
      const v = d.vcpus[0]!;
      const page = 10 + (w.page % s.pages);
      // A private change goes through the plugin: a byte pattern copied in from the domain's own frame.
      rec.as(d.id, () => {
        hv.memory.zeroFrame(v, toGfn(4001));
        hv.machine.memory.writeBytes(hv.memory.machineFrame(d, toGfn(4001), 'write'), 0, Uint8Array.of(w.byte));
        hv.memory.copyFrame(v, toGfn(page), toGfn(4001));
      });
      expected.set(`${d.name}:${page}`, w.byte);
      hv.runFor(1e7);
    }
    const got = new Uint8Array(4096);
    for (const d of ds) {
      for (let p = 0; p < s.pages; p++) {
        const mfn = hv.memory.machineFrame(d, toGfn(10 + p), 'read');
        hv.machine.memory.readBytes(mfn, 0, got);
        const mine = expected.get(`${d.name}:${10 + p}`);
        const ok = mine === undefined ? got.every((b, i) => b === pattern[i]) : got[0] === mine && got.subarray(1).every((b) => b === 0);
        if (!ok)
          return `on ${profile.name}: '${d.name}' page ${10 + p} holds ${mine === undefined ? 'something other than the content it copied in' : 'something other than what it last wrote'} (byte 0 is ${got[0]})`;
      }
    }
    return undefined;
  });
}

/** Frames back after destroy, in any order, whether the domain ran or not. */
function returnsFrames(
  compose: Compose,
  settings: KitSettings,
  profile: MachineProfile,
  s: { domains: readonly { touch: readonly number[]; tables: number; run: boolean }[]; order: readonly number[] },
): string | undefined {
  return onMachine(compose, settings, profile, (hv, rec) => {
    const free = hv.machine.memory.freeFrames;
    const ds: Domain[] = s.domains.map((spec, i) => {
      const d = hv.createDomain({ name: `f${i}`, memoryMiB: 8, vcpus: 1 + (i % 2) });
      const v = d.vcpus[0]!;
      rec.as(d.id, () => {
        for (const g of spec.touch) hv.memory.zeroFrame(v, toGfn(g));
        const space = new KitAddressSpace(hv, v, new PageTableFrames(1200), 1);
        for (let t = 0; t < spec.tables; t++) space.map(t * 997, 1100 + (t % 50), t % 2 === 0);
        space.activate();
        for (let t = 0; t < spec.tables; t++) hv.memory.translate(v, t * 997, false);
      });
      if (spec.run) hv.start(d, () => computeForever);
      return d;
    });
    hv.runFor(2e7);
    const order = [...ds.keys()].sort((a, b) => (s.order[a] ?? a) - (s.order[b] ?? b));
    for (const i of order) {
      const d = ds[i]!;
      forceDestroy(hv, d);
      hv.runFor(1e6);
      const held = hv.machine.memory.framesOwnedBy(d.id);
      if (held > 0) return `on ${profile.name}: destroyed domain '${d.name}' still owns ${held} machine frame(s)`;
    }
    hv.runFor(1e7);
    if (hv.machine.memory.freeFrames !== free)
      return `on ${profile.name}: ${free - hv.machine.memory.freeFrames} frame(s) were not returned to the machine after every domain was destroyed`;
    return undefined;
  });
}
