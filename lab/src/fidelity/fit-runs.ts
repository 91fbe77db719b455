import type { FitCell, ParameterSet } from '@visorkit/core';
import { vserver2007 } from '@visorkit/example-vserver-2007';
import { PUBLISHED_MICRO_SOURCE, PUBLISHED_MICRO_US, runMicro, type ExperimentContext, type MicroMetric } from '@visorkit/workloads';
import type { LinearModel } from './linear-model.js';
import { FITTED_SETS } from './ledger.js';

/** The fit set: the seed's micro table, on the hardware it was measured on. */
export function fitSetCells(): { cells: FitCell[]; published: number[] } {
  const cells: FitCell[] = [];
  const published: number[] = [];
  for (const [metric, byPlatform] of Object.entries(PUBLISHED_MICRO_US)) {
    for (const [platform, value] of Object.entries(byPlatform)) {
      cells.push({ profile: PUBLISHED_MICRO_SOURCE.profile, platform, metric });
      published.push(value);
    }
  }
  return { cells, published };
}

/** Simulates every cell (one freshly booted guest per cell, as the micro experiment does). */
export function simulateCells(cells: readonly FitCell[], seed = 1, progress?: (done: number, total: number) => void): number[] {
  const example = vserver2007;
  const out: number[] = [];
  for (const [i, cell] of cells.entries()) {
    if (cell.profile !== example.profile.name)
      throw new Error(`the fit set's cell ${cell.profile}/${cell.platform}/${cell.metric} is not on ${example.profile.name}`);
    const platform = example.platforms.find((p) => p.name === cell.platform);
    if (platform === undefined) throw new Error(`no platform '${cell.platform}' in ${example.name}`);
    const ctx: ExperimentContext = { profile: example.profile, platforms: [platform], seed };
    const value = runMicro(ctx, platform, [cell.metric as MicroMetric]).results[cell.metric as MicroMetric];
    if (value === undefined) throw new Error(`the micro benchmark reported no ${cell.metric} on ${cell.platform}`);
    out.push(value);
    progress?.(i + 1, cells.length);
  }
  return out;
}

interface Slot {
  readonly set: ParameterSet;
  readonly name: string;
}

/** Every fitted parameter, in ledger order. */
export function fittedSlots(): Slot[] {
  return FITTED_SETS.flatMap((f) => f.set.names().map((name) => ({ set: f.set, name })));
}

/**
 * Measures the linear model: one run at the current values and one per parameter with that
 * parameter moved, which gives each parameter's column of per-cell costs. The parameters
 * are restored afterwards.
 */
export function measureLinearModel(seed = 1, progress?: (done: number, total: number) => void): LinearModel {
  const { cells, published } = fitSetCells();
  const slots = fittedSlots();
  const current = slots.map((s) => s.set.value[s.name]!);
  const total = (slots.length + 1) * cells.length;
  let done = 0;
  const tick = (d: number): void => progress?.(done + d, total);
  const at = simulateCells(cells, seed, tick);
  done += cells.length;
  const columns: number[][] = [];
  for (const [j, slot] of slots.entries()) {
    const step = current[j]! > 0 ? current[j]! * 0.5 : 100;
    slot.set.set(slot.name, current[j]! + step);
    try {
      const moved = simulateCells(cells, seed, tick);
      columns.push(moved.map((v, i) => (v - at[i]!) / step));
    } finally {
      slot.set.set(slot.name, current[j]!);
    }
    done += cells.length;
  }
  const jacobian = cells.map((_, i) => slots.map((_, j) => columns[j]![i]!));
  const base = cells.map((_, i) => at[i]! - jacobian[i]!.reduce((s, d, j) => s + d * current[j]!, 0));
  return { cells, published, parameters: slots.map((s) => ({ package: s.set.packageName, name: s.name })), base, jacobian };
}
