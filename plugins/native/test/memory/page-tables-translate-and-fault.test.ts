import 'reflect-metadata';
import test from 'ava';
import fc from 'fast-check';
import {
  CostCategory,
  GuestRequestError,
  PTE_PRESENT,
  PTE_USER,
  PTE_WRITABLE,
  TRANSLATION_FAULT,
  createHypervisor,
  makePte,
  modern,
  pteFrame,
  readTableEntry,
  tableIndex,
  xeon2003,
  type Hypervisor,
  type MachineProfile,
  type Vcpu,
} from '@visorkit/core';
import { nativePlugin } from '../../src/index.js';

/** Maps vpn → gfn through the MemoryVirtualization interface, allocating tables from gfn 1 up. */
function mapper(hv: Hypervisor, vcpu: Vcpu) {
  const m = hv.memory;
  let next = 1;
  const children = new Map<string, number>();
  const newTable = (level: number): number => {
    const g = next++;
    m.zeroFrame(vcpu, g as never);
    m.pinPageTable(vcpu, g as never, level);
    return g;
  };
  const root = newTable(m.geometry.levels);
  return {
    root,
    map(vpn: number, gfn: number, flags: number): void {
      let table = root;
      for (let level = m.geometry.levels; level > 1; level--) {
        const i = tableIndex(m.geometry, vpn, level);
        let child = children.get(`${table}:${i}`);
        if (child === undefined) {
          child = newTable(level - 1);
          children.set(`${table}:${i}`, child);
          m.writePte(vcpu, table as never, i, makePte(child, PTE_PRESENT | PTE_WRITABLE | PTE_USER));
        }
        table = child;
      }
      m.writePte(vcpu, table as never, tableIndex(m.geometry, vpn, 1), flags === 0 ? 0 : makePte(gfn, flags));
      m.invalidatePage(vcpu, vpn);
    },
  };
}

for (const profile of [xeon2003, modern] as MachineProfile[]) {
  test(`translations agree with a reference map after random map/unmap/remap sequences (${profile.memory.pageTableFormat})`, (t) => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            vpn: fc.integer({ min: 0, max: 2 ** 20 - 1 }),
            gfn: fc.integer({ min: 100, max: 4000 }),
            op: fc.constantFrom('map-rw', 'map-ro', 'unmap'),
          }),
          { maxLength: 40 },
        ),
        (ops) => {
          const hv = createHypervisor({ machine: profile, plugins: [nativePlugin] });
          const d = hv.createDomain({ name: 'g', memoryMiB: 32 });
          const v = d.vcpus[0]!;
          const as = mapper(hv, v);
          hv.cpu.switchAddressSpace(v, as.root as never, 1);
          const model = new Map<number, { gfn: number; writable: boolean }>();
          for (const o of ops) {
            if (o.op === 'unmap') {
              as.map(o.vpn, 0, 0);
              model.delete(o.vpn);
            } else {
              as.map(o.vpn, o.gfn, PTE_PRESENT | PTE_USER | (o.op === 'map-rw' ? PTE_WRITABLE : 0));
              model.set(o.vpn, { gfn: o.gfn, writable: o.op === 'map-rw' });
            }
            for (const [vpn, e] of model) {
              if (hv.memory.translate(v, vpn, false) !== e.gfn) return false;
              if (hv.memory.translate(v, vpn, true) !== (e.writable ? e.gfn : -1)) return false;
            }
          }
          for (const o of ops) if (!model.has(o.vpn) && hv.memory.translate(v, o.vpn, false) !== -1) return false;
          return true;
        },
      ),
      { numRuns: 40 },
    );
    t.pass();
  });
}

test('a page-table entry naming a frame outside the domain is refused and changes nothing', (t) => {
  const hv = createHypervisor({ machine: modern, plugins: [nativePlugin] });
  const d = hv.createDomain({ name: 'g', memoryMiB: 4 });
  const v = d.vcpus[0]!;
  const as = mapper(hv, v);
  const outside = hv.memory.frames(d) + 5;
  const freeBefore = hv.machine.memory.freeFrames;
  t.throws(() => as.map(7, outside, PTE_PRESENT | PTE_WRITABLE), { instanceOf: GuestRequestError });
  t.is(hv.counts(d)['privilege-violation'], 1);
  hv.cpu.switchAddressSpace(v, as.root as never, 1);
  t.is<number, number>(hv.memory.translate(v, 7, false), -1);
  t.true(hv.machine.memory.freeFrames <= freeBefore);
});

test('loading a page-table base flushes the untagged TLB, so a stale mapping is never used', (t) => {
  const hv = createHypervisor({ machine: modern, plugins: [nativePlugin] });
  const d = hv.createDomain({ name: 'g', memoryMiB: 16 });
  const v = d.vcpus[0]!;
  const as = mapper(hv, v);
  as.map(9, 500, PTE_PRESENT | PTE_WRITABLE);
  hv.cpu.switchAddressSpace(v, as.root as never, 1);
  t.is<number, number>(hv.memory.translate(v, 9, false), 500);
  as.map(9, 600, PTE_PRESENT | PTE_WRITABLE); // remap + invlpg
  t.is<number, number>(hv.memory.translate(v, 9, false), 600);
  const flushes = hv.counts(d)['tlb-flush'] ?? 0;
  hv.cpu.switchAddressSpace(v, as.root as never, 2);
  t.is(hv.counts(d)['tlb-flush'], flushes + 1);
});

test('destroying a domain returns every frame it populated to the machine', (t) => {
  const hv = createHypervisor({ machine: modern, plugins: [nativePlugin] });
  const free = hv.machine.memory.freeFrames;
  const d = hv.createDomain({ name: 'g', memoryMiB: 16 });
  const v = d.vcpus[0]!;
  for (let g = 0; g < 100; g++) hv.memory.zeroFrame(v, g as never);
  t.is(hv.machine.memory.freeFrames, free - 100);
  hv.destroy(d);
  t.is(hv.machine.memory.freeFrames, free);
});

for (const profile of [xeon2003, modern] as MachineProfile[]) {
  test(`a page-table entry reads back in guest frame numbers exactly as written (${profile.memory.pageTableFormat})`, (t) => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            index: fc.integer({ min: 0, max: 511 }),
            gfn: fc.integer({ min: 0, max: 4095 }),
            flags: fc.constantFrom(0, PTE_PRESENT, PTE_PRESENT | PTE_WRITABLE, PTE_PRESENT | PTE_WRITABLE | PTE_USER),
          }),
          { maxLength: 30 },
        ),
        (writes) => {
          const hv = createHypervisor({ machine: profile, plugins: [nativePlugin] });
          const d = hv.createDomain({ name: 'g', memoryMiB: 16 });
          const v = d.vcpus[0]!;
          const model = new Map<number, number>();
          for (const w of writes) {
            const index = w.index % hv.memory.geometry.entriesPerTable[1]!;
            const entry = w.flags === 0 ? 0 : makePte(w.gfn, w.flags);
            hv.memory.writePte(v, 1 as never, index, entry);
            model.set(index, entry);
          }
          for (const [index, entry] of model) if (hv.memory.readPte(v, 1 as never, index) !== entry) return false;
          // The store really holds the machine frame, as the hardware walker needs.
          for (const [index, entry] of model) {
            if ((entry & PTE_PRESENT) === 0) continue;
            const stored = readTableEntry(hv.machine.memory, hv.memory.geometry, hv.memory.machineFrame(d, 1 as never, 'read'), index);
            if (pteFrame(stored) !== hv.memory.machineFrame(d, pteFrame(entry) as never, 'read')) return false;
          }
          return hv.counts(d)['pte-write'] === (writes.length || undefined);
        },
      ),
      { numRuns: 30 },
    );
    t.pass();
  });
}

test("a TLB miss costs the profile's refill: its fixed miss cost and one memory reference per page-table level; a hit costs nothing", (t) => {
  for (const profile of [xeon2003, modern] as MachineProfile[]) {
    const hv = createHypervisor({ machine: profile, plugins: [nativePlugin] });
    const d = hv.createDomain({ name: 'g', memoryMiB: 16 });
    const v = d.vcpus[0]!;
    const as = mapper(hv, v);
    as.map(3, 200, PTE_PRESENT | PTE_USER);
    hv.cpu.switchAddressSpace(v, as.root as never, 1);
    const before = v.cycles[CostCategory.GuestKernel]!;
    hv.memory.translate(v, 3, false);
    const levels = hv.memory.geometry.levels;
    t.is(v.cycles[CostCategory.GuestKernel]! - before, profile.tlb.missCycles + levels * profile.memory.cacheHitCycles);
    t.is(hv.counts(d)['page-walk-ref'], levels);
    hv.memory.translate(v, 3, false);
    t.is(hv.counts(d)['tlb-miss'], 1, `${profile.memory.pageTableFormat}: the second lookup hits`);
  }
});

test('a write through a read-only mapping faults and leaves the mapping readable', (t) => {
  const hv = createHypervisor({ machine: modern, plugins: [nativePlugin] });
  const d = hv.createDomain({ name: 'g', memoryMiB: 16 });
  const v = d.vcpus[0]!;
  const as = mapper(hv, v);
  as.map(4, 300, PTE_PRESENT | PTE_USER);
  hv.cpu.switchAddressSpace(v, as.root as never, 1);
  t.is<number, number>(hv.memory.translate(v, 4, true), TRANSLATION_FAULT);
  t.is<number, number>(hv.memory.translate(v, 4, false), 300);
  t.is<number, number>(hv.memory.translate(v, 4, true), TRANSLATION_FAULT, 'also when the entry is already in the TLB');
});

test('every guest frame number outside the reservation is refused with a typed error and nothing is allocated', (t) => {
  const hv = createHypervisor({ machine: modern, plugins: [nativePlugin] });
  const d = hv.createDomain({ name: 'g', memoryMiB: 4 });
  const v = d.vcpus[0]!;
  const outside = hv.memory.frames(d);
  t.is(outside, d.reservationFrames);
  const free = hv.machine.memory.freeFrames;
  const attempts: (() => unknown)[] = [
    () => hv.memory.writePte(v, outside as never, 0, 0),
    () => hv.memory.readPte(v, -1 as never, 0),
    () => hv.memory.zeroFrame(v, outside as never),
    () => hv.memory.copyFrame(v, 0 as never, (outside + 100) as never),
    () => hv.memory.copyFrame(v, 2.5 as never, 0 as never),
    () => hv.cpu.switchAddressSpace(v, outside as never, 1),
  ];
  for (const attempt of attempts) t.throws(attempt, { instanceOf: GuestRequestError, message: /outside/ });
  t.is(hv.counts(d)['privilege-violation'], attempts.length);
  t.is(hv.counts(d)['page-zero'], undefined);
  t.is(hv.counts(d)['page-copy'], undefined);
  t.is(hv.machine.memory.freeFrames, free);
});

test('without invlpg a stale TLB entry survives; loading the page-table base drops it', (t) => {
  const hv = createHypervisor({ machine: modern, plugins: [nativePlugin] });
  const d = hv.createDomain({ name: 'g', memoryMiB: 16 });
  const v = d.vcpus[0]!;
  const as = mapper(hv, v);
  as.map(9, 500, PTE_PRESENT | PTE_WRITABLE);
  hv.cpu.switchAddressSpace(v, as.root as never, 1);
  t.is<number, number>(hv.memory.translate(v, 9, false), 500);
  // Rewrite the leaf directly, without invalidating: the hardware keeps using its TLB entry.
  const leafTable = leafTableOf(hv, v, as.root, 9);
  hv.memory.writePte(v, leafTable as never, tableIndex(hv.memory.geometry, 9, 1), makePte(600, PTE_PRESENT | PTE_WRITABLE));
  t.is<number, number>(hv.memory.translate(v, 9, false), 500, 'the untagged TLB still holds the old entry');
  hv.cpu.switchAddressSpace(v, as.root as never, 1);
  t.is<number, number>(hv.memory.translate(v, 9, false), 600);
});

test('copying and zeroing frames move real bytes', (t) => {
  const hv = createHypervisor({ machine: modern, plugins: [nativePlugin] });
  const d = hv.createDomain({ name: 'g', memoryMiB: 4 });
  const v = d.vcpus[0]!;
  hv.memory.zeroFrame(v, 5 as never);
  const pattern = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31) & 0xff);
  hv.machine.memory.writeBytes(hv.memory.machineFrame(d, 5 as never, 'write'), 0, pattern);
  hv.memory.copyFrame(v, 6 as never, 5 as never);
  const back = new Uint8Array(4096);
  hv.machine.memory.readBytes(hv.memory.machineFrame(d, 6 as never, 'read'), 0, back);
  t.deepEqual(back, pattern);
  hv.memory.zeroFrame(v, 6 as never);
  hv.machine.memory.readBytes(hv.memory.machineFrame(d, 6 as never, 'read'), 0, back);
  t.true(back.every((b) => b === 0));
  t.is(v.cycles[CostCategory.GuestKernel], 2 * modern.costs.pageZero + modern.costs.pageCopy);
  t.like(hv.counts(d), { 'page-zero': 2, 'page-copy': 1 });
});

/** The guest frame of the last-level table that maps `vpn`, read through the interface. */
function leafTableOf(hv: Hypervisor, vcpu: Vcpu, root: number, vpn: number): number {
  let table = root;
  for (let level = hv.memory.geometry.levels; level > 1; level--)
    table = pteFrame(hv.memory.readPte(vcpu, table as never, tableIndex(hv.memory.geometry, vpn, level)));
  return table;
}
