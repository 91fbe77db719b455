import type { ExperimentResult } from '@visorkit/workloads';

/**
 * One line per non-baseline platform saying which mechanism differs most from the baseline
 * (the first platform, normally native), computed from the rows' counts — never canned text.
 *
 * @public
 */
export function explainDifferences(result: ExperimentResult): string[] {
  const totals = new Map<string, Map<string, number>>();
  for (const row of result.results) {
    const t = totals.get(row.platform) ?? new Map<string, number>();
    for (const [k, v] of Object.entries(row.counts)) t.set(k, (t.get(k) ?? 0) + v);
    totals.set(row.platform, t);
  }
  const platforms = [...totals.keys()];
  if (platforms.length < 2) return [];
  const base = platforms[0]!;
  const baseCounts = totals.get(base)!;
  const lines: string[] = [];
  for (const p of platforms.slice(1)) {
    const counts = totals.get(p)!;
    let best: { name: string; ratio: number; n: number; b: number } | undefined;
    for (const [name, n] of counts) {
      const b = baseCounts.get(name) ?? 0;
      const ratio = (n + 1) / (b + 1);
      if (best === undefined || Math.abs(Math.log(ratio)) > Math.abs(Math.log(best.ratio))) best = { name, ratio, n, b };
    }
    for (const [name, b] of baseCounts) {
      if (counts.has(name)) continue;
      const ratio = 1 / (b + 1);
      if (best === undefined || Math.abs(Math.log(ratio)) > Math.abs(Math.log(best.ratio))) best = { name, ratio, n: 0, b };
    }
    if (best === undefined || Math.abs(Math.log(best.ratio)) < Math.log(1.05)) {
      lines.push(`${p} and ${base} perform the same mechanisms in about the same numbers.`);
    } else if (best.b === 0) {
      lines.push(`${p} performs ${fmt(best.n)} ${best.name} events that ${base} does not have at all.`);
    } else {
      lines.push(
        `${p} performs ${fmt(best.n)} ${best.name} events against ${fmt(best.b)} on ${base} (${best.ratio >= 1 ? `${best.ratio.toFixed(1)}×` : `${(1 / best.ratio).toFixed(1)}× fewer`}).`,
      );
    }
  }
  return lines;
}

function fmt(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(Math.round(n));
}
