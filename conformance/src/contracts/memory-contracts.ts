import fc from 'fast-check';
import { PTE_PRESENT, PTE_USER, PTE_WRITABLE, PageTableBuilder, bundledProfiles, makePte } from '@visorkit/core';
import { composeSomewhere, expect, type Contract } from '../contract.js';

/** Memory contracts, checked on every page-table format of the bundled profiles. */
export const memoryContracts: readonly Contract[] = [
  {
    contract: 'memory/translations-agree-with-the-page-tables',
    sentence: 'translations agree with a reference model after random map, unmap, copy-on-write and switch sequences',
    check(compose, name) {
      const op = fc.record({ kind: fc.constantFrom('map', 'protect', 'unmap', 'switch'), space: fc.integer({ min: 0, max: 1 }), vpn: fc.integer({ min: 0, max: 63 }), gfn: fc.integer({ min: 2000, max: 2499 }) });
      for (const profile of bundledProfiles) {
        try {
          compose(profile);
        } catch {
          continue; // a platform may not run on every machine
        }
        const result = fc.check(
          fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
            const hv = compose(profile);
            const d = hv.createDomain({ name: 'mem', memoryMiB: 32 });
            const v = d.vcpus[0]!;
            const spaces = [new PageTableBuilder(hv, v, 1), new PageTableBuilder(hv, v, 500)];
            const models = [new Map<number, { gfn: number; w: boolean }>(), new Map<number, { gfn: number; w: boolean }>()];
            let active = 0;
            hv.cpu.switchAddressSpace(v, spaces[0]!.root as never, 1);
            for (const o of ops) {
              if (o.kind === 'map' || o.kind === 'protect') {
                // 'protect' is what fork does to a writable page: read-only, copied on write.
                spaces[o.space]!.set(o.vpn, makePte(o.gfn, PTE_PRESENT | PTE_USER | (o.kind === 'map' ? PTE_WRITABLE : 0)));
                models[o.space]!.set(o.vpn, { gfn: o.gfn, w: o.kind === 'map' });
              } else if (o.kind === 'unmap') {
                spaces[o.space]!.set(o.vpn, 0);
                models[o.space]!.delete(o.vpn);
              } else {
                active = o.space;
                hv.cpu.switchAddressSpace(v, spaces[o.space]!.root as never, o.space + 1);
              }
              for (let probe = 0; probe < 64; probe++) {
                const want = models[active]!.get(probe);
                if (hv.memory.translate(v, probe, false) !== (want?.gfn ?? -1)) return false;
                if (hv.memory.translate(v, probe, true) !== (want !== undefined && want.w ? want.gfn : -1)) return false;
              }
            }
            return true;
          }),
          { numRuns: 15, seed: profile.name.length },
        );
        expect(!result.failed, this.contract, name, `${profile.name}: counterexample ${JSON.stringify(result.counterexample)}`);
      }
    },
  },
  {
    contract: 'memory/no-domain-reaches-another-domains-frames',
    sentence: "no domain reaches another domain's frames, and an entry naming a frame outside the domain is refused",
    check(compose, name) {
      const hv = composeSomewhere(compose);
      const a = hv.createDomain({ name: 'a', memoryMiB: 8 });
      const b = hv.createDomain({ name: 'b', memoryMiB: 8 });
      for (const d of [a, b]) for (let g = 0; g < 64; g++) hv.memory.zeroFrame(d.vcpus[0]!, g as never);
      for (const [d, other] of [[a, b], [b, a]] as const) {
        for (let g = 0; g < 64; g++) {
          const mfn = hv.memory.machineFrame(d, g as never);
          expect(hv.machine.memory.ownerOf(mfn) === d.id, this.contract, name, `${d.name}'s frame ${g} is backed by machine frame ${mfn}, owned by domain ${hv.machine.memory.ownerOf(mfn)} (not ${other.name}'s to share)`);
        }
      }
      const tables = new PageTableBuilder(hv, a.vcpus[0]!, 1);
      let refused = false;
      try {
        tables.set(5, makePte(hv.memory.frames(a) + 100, PTE_PRESENT | PTE_USER | PTE_WRITABLE));
      } catch {
        refused = true;
      }
      expect(refused, this.contract, name, 'an entry naming a frame outside the domain was accepted');
    },
  },
  {
    contract: 'memory/no-stale-tlb-entry-is-used',
    sentence: 'no stale TLB entry is used after an update with invalidation, or after a switch to another address space',
    check(compose, name) {
      const hv = composeSomewhere(compose);
      const d = hv.createDomain({ name: 'tlb', memoryMiB: 16 });
      const v = d.vcpus[0]!;
      const one = new PageTableBuilder(hv, v, 1);
      const two = new PageTableBuilder(hv, v, 500);
      one.set(9, makePte(3000, PTE_PRESENT | PTE_USER | PTE_WRITABLE));
      two.set(9, makePte(3001, PTE_PRESENT | PTE_USER | PTE_WRITABLE));
      hv.cpu.switchAddressSpace(v, one.root as never, 1);
      expect(hv.memory.translate(v, 9, false) === 3000, this.contract, name, 'initial translation');
      one.set(9, makePte(3002, PTE_PRESENT | PTE_USER | PTE_WRITABLE));
      const after = hv.memory.translate(v, 9, false);
      expect(after === 3002, this.contract, name, `after remap and invalidation, page 9 translated to ${after}, expected 3002`);
      hv.cpu.switchAddressSpace(v, two.root as never, 2);
      const switched = hv.memory.translate(v, 9, false);
      expect(switched === 3001, this.contract, name, `after switching address spaces, page 9 translated to ${switched}, expected 3001`);
    },
  },
  {
    contract: 'memory/destroyed-domains-return-their-frames',
    sentence: 'every frame a domain held goes back to the machine when it is destroyed',
    check(compose, name) {
      const hv = composeSomewhere(compose);
      const free = hv.machine.memory.freeFrames;
      const d = hv.createDomain({ name: 'leak', memoryMiB: 8 });
      for (let g = 0; g < 100; g++) hv.memory.zeroFrame(d.vcpus[0]!, g as never);
      hv.destroy(d);
      expect(hv.machine.memory.freeFrames === free, this.contract, name, `${free - hv.machine.memory.freeFrames} frames were not returned`);
    },
  },
];
