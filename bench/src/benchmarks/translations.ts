import 'reflect-metadata';
import {
  PAGING_GEOMETRY,
  PTE_PRESENT,
  PTE_WRITABLE,
  PhysicalMemory,
  Tlb,
  WalkResult,
  createHypervisor,
  makePte,
  modern,
  tableIndex,
  walkPageTables,
  writeTableEntry,
  gfn,
  domainId,
} from '@visorkit/core';
import { NestedPagingMemory, hwAssistPlugin } from '@visorkit/hw-assist';
import type { Benchmark } from '../benchmark.js';
import { opsPerSecond } from './measure.js';

const N = 1_000_000;
const PAGES = 1024;

/** Builds 4-level tables mapping `PAGES` pages in fresh RAM; returns the root frame. */
function build4Level(memory: PhysicalMemory): number {
  const g = PAGING_GEOMETRY['4-level'];
  const root = memory.allocate(domainId(0));
  const tables = new Map<string, number>();
  for (let vpn = 0; vpn < PAGES; vpn++) {
    let table: number = root;
    for (let level = 4; level > 1; level--) {
      const key = `${table}:${tableIndex(g, vpn, level)}`;
      let child = tables.get(key);
      if (child === undefined) {
        child = memory.allocate(domainId(0));
        tables.set(key, child);
        writeTableEntry(memory, g, table, tableIndex(g, vpn, level), makePte(child, PTE_PRESENT | PTE_WRITABLE));
      }
      table = child;
    }
    writeTableEntry(memory, g, table, tableIndex(g, vpn, 1), makePte(memory.allocate(domainId(0)), PTE_PRESENT | PTE_WRITABLE));
  }
  return root;
}

/** TLB hits, 4-level walks and two-dimensional (EPT) walks per host second. */
export const translations: Benchmark = {
  name: 'translations',
  description: 'TLB hits, 4-level walks, 2D nested walks',
  async run() {
    const tlb = new Tlb(2048, 16);
    for (let v = 0; v < 1024; v++) tlb.insert(7, v, v * 4096 + 3);
    let sink = 0;
    const hits = await opsPerSecond('tlb-hit', N, () => {
      for (let i = 0; i < N; i++) sink += tlb.lookup(7, i & 1023);
    });

    const memory = new PhysicalMemory(1 << 16);
    const root = build4Level(memory);
    const result = new WalkResult();
    const geometry = PAGING_GEOMETRY['4-level'];
    const walks = await opsPerSecond('walk-4l', N / 4, () => {
      for (let i = 0; i < N / 4; i++) sink += walkPageTables(memory, geometry, root, i % PAGES, result).frame;
    });

    // Nested walks through the hw-assist plugin's real EPT, with the TLB defeated each time.
    const hv = createHypervisor({ machine: modern, plugins: [hwAssistPlugin.configure({ pageWalkCache: false })] });
    const d = hv.createDomain({ name: 'g', memoryMiB: 64 });
    const v = d.vcpus[0]!;
    const mem = hv.memory;
    if (!(mem instanceof NestedPagingMemory)) throw new Error('the hw-assist plugin composed without nested paging');
    const g = mem.geometry;
    const tables = new Map<string, number>();
    let nextTable = 1;
    const rootGfn = nextTable++;
    mem.zeroFrame(v, gfn(rootGfn));
    for (let vpn = 0; vpn < PAGES; vpn++) {
      let table = rootGfn;
      for (let level = 4; level > 1; level--) {
        const key = `${table}:${tableIndex(g, vpn, level)}`;
        let child = tables.get(key);
        if (child === undefined) {
          child = nextTable++;
          mem.zeroFrame(v, gfn(child));
          tables.set(key, child);
          mem.writePte(v, gfn(table), tableIndex(g, vpn, level), makePte(child, PTE_PRESENT | PTE_WRITABLE));
        }
        table = child;
      }
      mem.zeroFrame(v, gfn(5000 + vpn));
      mem.writePte(v, gfn(table), tableIndex(g, vpn, 1), makePte(5000 + vpn, PTE_PRESENT | PTE_WRITABLE));
    }
    hv.cpu.switchAddressSpace(v, gfn(rootGfn), 1);
    const tlbOf = hv.machine.pcpus[0]!.tlb;
    const walks2d = await opsPerSecond('walk-2d', N / 20, () => {
      for (let i = 0; i < N / 20; i++) {
        tlbOf.invalidate(v.asid, i % PAGES);
        sink += mem.translate(v, i % PAGES, false);
      }
    });
    if (sink === 0.5) console.log(sink);
    return [
      { name: 'tlb-hit-per-s', value: hits, unit: 'translations/s' },
      { name: 'walk-4l-per-s', value: walks, unit: 'translations/s' },
      { name: 'walk-2d-per-s', value: walks2d, unit: 'translations/s' },
    ];
  },
};
