/**
 * Run-length coding of integer arrays for checkpoints: page-cache maps, sector maps and frame
 * reference counts are long runs of one value (-1, 0 or 1), so [value, count] pairs are small.
 */
export function packRuns(values: ArrayLike<number>): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < values.length) {
    const v = values[i]!;
    let j = i + 1;
    while (j < values.length && values[j] === v) j++;
    out.push(v, j - i);
    i = j;
  }
  return out;
}

/** Expands {@link packRuns} output into `into` (which must be exactly as long); false if it is not. */
export function unpackRuns(runs: readonly number[], into: Int32Array | Uint16Array): boolean {
  let at = 0;
  for (let i = 0; i + 1 < runs.length; i += 2) {
    const n = runs[i + 1]!;
    if (!(n > 0) || at + n > into.length) return false;
    into.fill(runs[i]!, at, at + n);
    at += n;
  }
  return at === into.length;
}

/** The length {@link packRuns} output expands to. */
export function runsLength(runs: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < runs.length; i += 2) n += runs[i]!;
  return n;
}
