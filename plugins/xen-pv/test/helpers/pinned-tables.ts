import { PTE_PRESENT, PTE_USER, PTE_WRITABLE, makePte, tableIndex, type Hypervisor, type Vcpu } from '@visorkit/core';

/**
 * Builds and pins a root and one table per level down to the leaf table that maps virtual
 * page 0 (guest frames 1, 2, …), and returns that leaf table's frame. The root is not loaded.
 */
export function pinnedTablesToPageZero(hv: Hypervisor, v: Vcpu): { root: number; leaf: number } {
  const m = hv.memory;
  const g = m.geometry;
  let next = 1;
  const root = next++;
  m.zeroFrame(v, root as never);
  m.pinPageTable(v, root as never, g.levels);
  let table = root;
  for (let level = g.levels; level > 1; level--) {
    const child = next++;
    m.zeroFrame(v, child as never);
    m.pinPageTable(v, child as never, level - 1);
    m.writePte(v, table as never, tableIndex(g, 0, level), makePte(child, PTE_PRESENT | PTE_WRITABLE | PTE_USER));
    table = child;
  }
  return { root, leaf: table };
}
