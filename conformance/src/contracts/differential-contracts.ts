import fc from 'fast-check';
import { PTE_PRESENT, PTE_USER, PTE_WRITABLE, PageTableFrames, gfn, makePte, type Hypervisor, type MachineProfile } from '@visorkit/core';
import type { Compose, Contract } from '../contract.js';
import { checkProperty } from '../kit/check-property.js';
import { KitAddressSpace } from '../kit/kit-address-space.js';
import type { KitSettings } from '../kit/kit-settings.js';
import { machinesFor } from '../kit/profiles.js';

type Step =
  | { readonly k: 'map'; readonly vpn: number; readonly gfn: number; readonly w: boolean }
  | { readonly k: 'unmap'; readonly vpn: number }
  | { readonly k: 'alarm'; readonly at: number }
  | { readonly k: 'disk'; readonly write: boolean; readonly sector: number; readonly frames: readonly number[] };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ k: fc.constant('map' as const), vpn: fc.integer({ min: 0, max: 31 }), gfn: fc.integer({ min: 0, max: 63 }), w: fc.boolean() }),
  fc.record({ k: fc.constant('unmap' as const), vpn: fc.integer({ min: 0, max: 31 }) }),
  fc.record({ k: fc.constant('alarm' as const), at: fc.integer({ min: 1, max: 5_000_000 }) }),
  fc.record({
    k: fc.constant('disk' as const),
    write: fc.boolean(),
    sector: fc.integer({ min: 0, max: 200 }),
    frames: fc.uniqueArray(fc.integer({ min: 100, max: 160 }), { minLength: 1, maxLength: 4 }),
  }),
);

/** What a guest can see of one scenario: translations, alarm times, bytes read from disk. */
function observe(hv: Hypervisor, steps: readonly Step[]): string[] {
  const seen: string[] = [];
  const d = hv.createDomain({ name: 'g', memoryMiB: 16 });
  const v = d.vcpus[0]!;
  const space = new KitAddressSpace(hv, v, new PageTableFrames(1), 1);
  space.activate();
  const disk = hv.block.attachDisk(d, 256);
  const start = hv.now;
  for (const [i, s] of steps.entries()) {
    if (s.k === 'map' || s.k === 'unmap') {
      const { table, index } = space.leaf(s.vpn);
      hv.memory.writePte(v, gfn(table), index, s.k === 'map' ? makePte(3000 + s.gfn, PTE_PRESENT | PTE_USER | (s.w ? PTE_WRITABLE : 0)) : 0);
      hv.memory.invalidatePage(v, s.vpn);
      const row: number[] = [];
      for (let p = 0; p < 32; p++) row.push(hv.memory.translate(v, p, false), hv.memory.translate(v, p, true));
      seen.push(`step ${i} (${s.k} page ${s.vpn}): translations ${row.join(',')}`);
    } else if (s.k === 'alarm') {
      hv.time.setAlarm(d, 'real', hv.now + s.at, () => seen.push(`alarm ${i} fired ${hv.now - start} ns after the start`));
      hv.runFor(s.at + 1);
    } else {
      const count = s.frames.length * 8;
      const sector = Math.min(s.sector, 256 - count);
      s.frames.forEach((g, k) => {
        hv.memory.zeroFrame(v, gfn(g));
        if (s.write)
          hv.machine.memory.writeBytes(
            hv.memory.machineFrame(d, gfn(g), 'read'),
            0,
            Uint8Array.from({ length: 4096 }, (_, b) => (i * 7 + k * 13 + b) & 0xff),
          );
      });
      let status = 'none';
      hv.block.submit(v, disk, { operation: s.write ? 'write' : 'read', sector, frames: s.frames.map(gfn) }, (st) => (status = st));
      hv.runFor(5e8);
      let sum = 0;
      const bytes = new Uint8Array(4096);
      for (const g of s.frames) {
        hv.machine.memory.readBytes(hv.memory.machineFrame(d, gfn(g), 'read'), 0, bytes);
        for (let b = 0; b < 4096; b++) sum = (sum * 31 + bytes[b]!) >>> 0;
      }
      seen.push(`step ${i} (${s.write ? 'write' : 'read'} ${s.frames.length} frame(s) at sector ${sector}): ${status}, frame contents hash ${sum}`);
    }
  }
  hv.runFor(1e7);
  return seen;
}

/**
 * With a reference composition: the same generated guest scenario runs on both and what the
 * guest can see — translations, alarm times, bytes read back — must agree.
 *
 * @public
 */
export function differentialContracts(settings: KitSettings, reference: Compose | undefined): readonly Contract[] {
  if (reference === undefined) return [];
  return [
    {
      contract: 'differential/guest-visible-results-agree-with-the-reference',
      sentence: 'a generated guest scenario sees the same translations, alarm times and disk contents as on the reference composition',
      check(compose, name) {
        const machines = machinesFor(compose).filter((p) => machinesFor(reference).some((r) => r.name === p.name));
        if (machines.length === 0) return;
        const scenario = fc.record({ machine: fc.integer({ min: 0, max: machines.length - 1 }), steps: fc.array(step, { minLength: 1, maxLength: 16 }) });
        checkProperty(this.contract, name, settings, scenario, 8, (s) => {
          const profile: MachineProfile = machines[s.machine]!;
          const mine = observe(compose(profile), s.steps);
          const theirs = observe(reference(profile), s.steps);
          for (let i = 0; i < Math.max(mine.length, theirs.length); i++) {
            if (mine[i] !== theirs[i])
              return `on ${profile.name} the guest saw "${mine[i] ?? '(nothing)'}" where the reference composition gives "${theirs[i] ?? '(nothing)'}"`;
          }
          return undefined;
        });
      },
    },
  ];
}
