import fc from 'fast-check';
import { HYPERVISOR_OWNER, SECTOR_SIZE, gfn, guestSuppliedGfn, type BlockStatus, type Domain, type Hypervisor, type MachineRecorder } from '@visorkit/core';
import type { Compose, Contract } from '../contract.js';
import { checkProperty } from '../kit/check-property.js';
import type { KitSettings } from '../kit/kit-settings.js';
import { isTypedRefusal, machineFaults, machineUnderTest } from '../kit/machine-under-test.js';
import { machinesFor } from '../kit/profiles.js';

const FRAME_SECTORS = 8;

interface DiskOp {
  readonly d: number;
  readonly write: boolean;
  /** Offset into the disk in sectors (any sector: requests need not be frame-aligned). */
  readonly sector: number;
  /** Guest frames of the request (several, not contiguous). */
  readonly frames: readonly number[];
  readonly fill: number;
}

interface BadOp {
  readonly d: number;
  readonly write: boolean;
  readonly kind: 'straddle-end' | 'past-end' | 'negative' | 'fraction' | 'frame-outside' | 'other-disk';
  readonly frames: number;
  readonly position: number;
  readonly beyond: number;
}

interface DiskScenario {
  readonly machine: number;
  readonly disks: readonly number[];
  readonly ops: readonly DiskOp[];
  readonly bad: readonly BadOp[];
  readonly together: boolean;
}

function scenario(machines: number, hostile: boolean): fc.Arbitrary<DiskScenario> {
  return fc.record({
    machine: fc.integer({ min: 0, max: machines - 1 }),
    disks: fc.array(fc.integer({ min: 16, max: 160 }), { minLength: 1, maxLength: 4 }),
    ops: fc.array(
      fc.record({
        d: fc.nat(),
        write: fc.boolean(),
        sector: fc.nat(),
        frames: fc.uniqueArray(fc.integer({ min: 16, max: 400 }), { minLength: 1, maxLength: 8 }),
        fill: fc.integer({ min: 1, max: 250 }),
      }),
      { minLength: 1, maxLength: 12 },
    ),
    bad: hostile
      ? fc.array(
          fc.record({
            d: fc.nat(),
            write: fc.boolean(),
            kind: fc.constantFrom('straddle-end', 'past-end', 'negative', 'fraction', 'frame-outside', 'other-disk'),
            frames: fc.integer({ min: 1, max: 6 }),
            position: fc.nat(),
            beyond: fc.integer({ min: 0, max: 4000 }),
          }),
          { minLength: 1, maxLength: 8 },
        )
      : fc.constant([]),
    together: fc.boolean(),
  }) as fc.Arbitrary<DiskScenario>;
}

interface DiskWorld {
  hv: Hypervisor;
  rec: MachineRecorder;
  ds: Domain[];
  devs: number[];
  sizes: number[];
  /** Per domain: the reference disk, sector → 512 bytes (unwritten sectors read as zeros). */
  model: Map<number, Uint8Array>[];
}

function world(compose: Compose, settings: KitSettings, s: DiskScenario): DiskWorld {
  const { hv, rec } = machineUnderTest(compose, machinesFor(compose)[s.machine]!, settings);
  const ds = s.disks.map((_, i) => hv.createDomain({ name: `b${i}`, memoryMiB: 8 }));
  const devs = ds.map((d, i) => hv.block.attachDisk(d, s.disks[i]! * FRAME_SECTORS));
  // Guest frames backed in a scrambled order, so a request's pages are not contiguous in machine memory.
  for (const d of ds) for (let k = 0; k < 385; k++) rec.as(d.id, () => hv.memory.zeroFrame(d.vcpus[0]!, gfn(16 + ((k * 173) % 385))));
  return { hv, rec, ds, devs, sizes: s.disks.map((n) => n * FRAME_SECTORS), model: ds.map(() => new Map()) };
}

/** Fills guest frame `gfn` of `d` with a pattern derived from `fill` (through the plugin: zero, then the bytes). */
function fillFrame(w: DiskWorld, d: Domain, g: number, fill: number): Uint8Array {
  w.rec.as(d.id, () => w.hv.memory.zeroFrame(d.vcpus[0]!, gfn(g)));
  const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (fill * 31 + g * 7 + i) & 0xff);
  w.hv.machine.memory.writeBytes(w.hv.memory.machineFrame(d, gfn(g), 'write'), 0, bytes);
  return bytes;
}

/** Issues the ops (one per domain at a time, or all at once), checks data, statuses and the recorded DMA. */
function readsBack(compose: Compose, settings: KitSettings, s: DiskScenario): string | undefined {
  const w = world(compose, settings, s);
  const { hv, rec, ds } = w;
  const batches = s.together ? [s.ops] : s.ops.map((o) => [o]);
  for (const batch of batches) {
    const busy = new Set<number>();
    const checks: (() => string | undefined)[] = [];
    let outstanding = 0;
    for (const op of batch) {
      const i = op.d % ds.length;
      if (busy.has(i)) continue; // one request at a time per disk keeps the reference model exact
      busy.add(i);
      const d = ds[i]!;
      const count = op.frames.length * FRAME_SECTORS;
      if (count > w.sizes[i]!) continue;
      const sector = op.sector % (w.sizes[i]! - count + 1);
      const model = w.model[i]!;
      const contents = op.frames.map((g) =>
        op.write ? fillFrame(w, d, g, op.fill) : (w.rec.as(d.id, () => hv.memory.zeroFrame(d.vcpus[0]!, gfn(g))), undefined),
      );
      const dmasBefore = rec.dmas.length;
      let status: BlockStatus | undefined;
      outstanding++;
      rec.as(d.id, () =>
        hv.block.submit(d.vcpus[0]!, w.devs[i]!, { operation: op.write ? 'write' : 'read', sector, frames: op.frames.map(gfn) }, (st) => {
          status = st;
          outstanding--;
        }),
      );
      checks.push(() => {
        const what = `${op.write ? 'writing' : 'reading'} ${op.frames.length} frame(s) [${op.frames.join(', ')}] at sector ${sector} of '${d.name}''s ${w.sizes[i]}-sector disk`;
        if (status !== 'ok') return `${what} completed '${String(status)}'`;
        const mine = rec.dmas.slice(dmasBefore).filter((x) => x.domain === d.id);
        const mfns = op.frames.map((g) => hv.memory.machineFrame(d, gfn(g), 'read'));
        const dma = mine.find((x) => x.frames.length === mfns.length);
        if (dma !== undefined && dma.frames.some((f, k) => f !== mfns[k]))
          return `${what}: the device moved data to or from machine frames [${dma.frames.join(', ')}], not the request's [${mfns.join(', ')}]`;
        if (op.write) {
          contents.forEach((bytes, k) => {
            for (let x = 0; x < FRAME_SECTORS; x++) model.set(sector + k * FRAME_SECTORS + x, bytes!.slice(x * SECTOR_SIZE, (x + 1) * SECTOR_SIZE));
          });
          return undefined;
        }
        const got = new Uint8Array(4096);
        for (let k = 0; k < op.frames.length; k++) {
          hv.machine.memory.readBytes(mfns[k]!, 0, got);
          for (let x = 0; x < FRAME_SECTORS; x++) {
            const want = model.get(sector + k * FRAME_SECTORS + x);
            for (let b = 0; b < SECTOR_SIZE; b++) {
              if (got[x * SECTOR_SIZE + b] !== (want?.[b] ?? 0))
                return `${what}: frame ${op.frames[k]} (the request's page ${k + 1}) does not hold what sector ${sector + k * FRAME_SECTORS + x} was last written with`;
            }
          }
        }
        return undefined;
      });
    }
    for (let t = 0; t < 200 && outstanding > 0; t++) hv.runFor(1e7);
    for (const c of checks) {
      const seen = c();
      if (seen !== undefined) return seen;
    }
  }
  for (const x of rec.dmas) {
    const part = rec.partitions.find((p) => p.domain === x.domain && x.firstSector >= p.start && x.firstSector + x.sectors <= p.start + p.sectors);
    if (part === undefined)
      return `the device moved sectors ${x.firstSector}..${x.firstSector + x.sectors - 1}, outside any one partition of domain ${x.domain}`;
  }
  return machineFaults(hv, rec);
}

/** Requests outside the disk or the domain's memory must not complete 'ok' and must move no data. */
function staysInside(compose: Compose, settings: KitSettings, s: DiskScenario): string | undefined {
  const w = world(compose, settings, s);
  const { hv, rec, ds } = w;
  // Each domain's disk starts full of its own pattern, so a stray write shows.
  ds.forEach((d, i) => {
    fillFrame(w, d, 1, i + 1);
    const frames = Math.min(4, w.sizes[i]! / FRAME_SECTORS);
    for (let f = 0; f < frames; f++)
      rec.as(d.id, () =>
        hv.block.submit(
          d.vcpus[0]!,
          w.devs[i]!,
          { operation: 'write', sector: w.sizes[i]! - frames * FRAME_SECTORS + f * FRAME_SECTORS, frames: [gfn(1)] },
          () => {},
        ),
      );
  });
  hv.runFor(1e9);
  const dmasBefore = rec.dmas.length;
  for (const b of s.bad) {
    const i = b.d % ds.length;
    const d = ds[i]!;
    const size = w.sizes[i]!;
    const frames = Array.from({ length: b.frames }, (_, k) => 20 + k);
    for (const g of frames) fillFrame(w, d, g, 9);
    let sector = 0;
    let device = w.devs[i]!;
    switch (b.kind) {
      case 'straddle-end':
        sector = size - FRAME_SECTORS * b.frames + 1 + (b.beyond % (FRAME_SECTORS * b.frames - 1 || 1));
        break;
      case 'past-end':
        sector = size + b.beyond;
        break;
      case 'negative':
        sector = -1 - b.beyond;
        break;
      case 'fraction':
        sector = 0.5 + (b.beyond % 8);
        break;
      case 'frame-outside':
        frames[b.position % frames.length] = hv.memory.frames(d) + b.beyond;
        if (frames.length > 1 && b.position % frames.length === 0) frames.reverse(); // never only the first
        break;
      case 'other-disk':
        device = w.devs[(i + 1) % ds.length]!;
        if (ds.length === 1) device = w.devs[i]! + 1;
        break;
    }
    let status: BlockStatus | 'refused' | undefined;
    try {
      rec.as(d.id, () =>
        hv.block.submit(d.vcpus[0]!, device, { operation: b.write ? 'write' : 'read', sector, frames: frames.map(guestSuppliedGfn) }, (st) => (status = st)),
      );
    } catch (e) {
      if (!isTypedRefusal(e)) return `a ${b.kind} request threw an untyped ${String(e)}`;
      status = 'refused';
    }
    hv.runFor(2e8);
    if (status === 'ok')
      return `'${d.name}' ${b.write ? 'wrote' : 'read'} ${frames.length} frame(s) [${frames.join(', ')}] at sector ${sector} of device ${device} (its disk: device ${w.devs[i]}, ${size} sectors; it has ${hv.memory.frames(d)} frames) — a ${b.kind} request completed 'ok'`;
  }
  const stray = rec.dmas.slice(dmasBefore);
  if (stray.length > 0)
    return `a refused request still moved data: sectors ${stray[0]!.firstSector}.. to or from machine frames [${stray[0]!.frames.join(', ')}]`;
  // Every disk still holds only what its own domain wrote.
  const got = new Uint8Array(4096);
  for (const [i, d] of ds.entries()) {
    const frames = Math.min(4, w.sizes[i]! / FRAME_SECTORS);
    rec.as(d.id, () => hv.memory.zeroFrame(d.vcpus[0]!, gfn(2)));
    let status: BlockStatus | undefined;
    rec.as(d.id, () =>
      hv.block.submit(d.vcpus[0]!, w.devs[i]!, { operation: 'read', sector: w.sizes[i]! - frames * FRAME_SECTORS, frames: [gfn(2)] }, (st) => (status = st)),
    );
    hv.runFor(2e8);
    hv.machine.memory.readBytes(hv.memory.machineFrame(d, gfn(2), 'read'), 0, got);
    const want = Uint8Array.from({ length: 4096 }, (_, k) => ((i + 1) * 31 + 7 + k) & 0xff);
    if (status !== 'ok' || got.some((x, k) => x !== want[k])) return `after the refused requests, '${d.name}''s disk no longer holds what it wrote`;
  }
  for (const d of ds) {
    const mfn = hv.memory.machineFrame(d, gfn(1), 'read');
    const owner = hv.machine.memory.ownerOf(mfn);
    if (owner !== d.id && owner !== HYPERVISOR_OWNER) return `'${d.name}''s frame 1 is backed by a machine frame it does not own`;
  }
  return machineFaults(hv, rec);
}

/**
 * Disk contracts: generated multi-frame, unaligned requests on 1–4 domains' disks, judged by the recorded DMA and a reference disk.
 *
 * @public
 */
export function blockContracts(settings: KitSettings): readonly Contract[] {
  return [
    {
      contract: 'disk/data-reads-back-byte-identical',
      sentence: 'data written reads back byte-identical: multi-frame, unaligned and concurrent requests, each page to and from the frame it names',
      check(compose, name) {
        checkProperty(this.contract, name, settings, scenario(machinesFor(compose).length, false), 10, (s) => readsBack(compose, settings, s));
      },
    },
    {
      contract: 'disk/requests-stay-inside-their-disk-and-memory',
      sentence:
        "no request reaches outside its domain's disk or memory: out-of-range, straddling, fractional sectors, another's device, a bad frame in any position are refused and move nothing",
      check(compose, name) {
        checkProperty(this.contract, name, settings, scenario(machinesFor(compose).length, true), 10, (s) => staysInside(compose, settings, s));
      },
    },
  ];
}
