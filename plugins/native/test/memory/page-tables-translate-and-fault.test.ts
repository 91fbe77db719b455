import 'reflect-metadata';
import test from 'ava';
import fc from 'fast-check';
import { GuestRequestError, PTE_PRESENT, PTE_USER, PTE_WRITABLE, createHypervisor, makePte, modern, tableIndex, xeon2003, type Hypervisor, type MachineProfile, type Vcpu } from '@visorkit/core';
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
        fc.array(fc.record({ vpn: fc.integer({ min: 0, max: 2 ** 20 - 1 }), gfn: fc.integer({ min: 100, max: 4000 }), op: fc.constantFrom('map-rw', 'map-ro', 'unmap') }), { maxLength: 40 }),
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
  t.is(hv.memory.translate(v, 7, false), -1);
  t.true(hv.machine.memory.freeFrames <= freeBefore);
});

test('loading a page-table base flushes the untagged TLB, so a stale mapping is never used', (t) => {
  const hv = createHypervisor({ machine: modern, plugins: [nativePlugin] });
  const d = hv.createDomain({ name: 'g', memoryMiB: 16 });
  const v = d.vcpus[0]!;
  const as = mapper(hv, v);
  as.map(9, 500, PTE_PRESENT | PTE_WRITABLE);
  hv.cpu.switchAddressSpace(v, as.root as never, 1);
  t.is(hv.memory.translate(v, 9, false), 500);
  as.map(9, 600, PTE_PRESENT | PTE_WRITABLE); // remap + invlpg
  t.is(hv.memory.translate(v, 9, false), 600);
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
