/**
 * Non-negative least squares (Lawson & Hanson, "Solving Least Squares Problems", 1974, ch. 23):
 * the x ≥ 0 minimising ‖A x − b‖². Small dense problems only (a few dozen rows, a handful of
 * columns), which is what fitting per-event costs to a table of figures is.
 *
 * @param a rows of A (m × n)
 * @param b the m targets
 * @returns x (n values, each ≥ 0)
 */
export function nnls(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const m = a.length;
  const n = m === 0 ? 0 : a[0]!.length;
  // Scale columns to unit norm: the costs span orders of magnitude.
  const scale = new Array<number>(n).fill(0);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += a[i]![j]! ** 2;
    scale[j] = s > 0 ? Math.sqrt(s) : 0;
  }
  const col = (i: number, j: number): number => (scale[j]! > 0 ? a[i]![j]! / scale[j]! : 0);
  const x = new Array<number>(n).fill(0);
  const passive = new Array<boolean>(n).fill(false);
  const tol = 1e-12 * Math.max(1, ...b.map(Math.abs));
  const gradient = (): number[] => {
    const r = b.map((bi, i) => bi - x.reduce((s, xj, j) => s + col(i, j) * xj, 0));
    return Array.from({ length: n }, (_, j) => r.reduce((s, ri, i) => s + col(i, j) * ri, 0));
  };
  for (let outer = 0; outer < 3 * n + 10; outer++) {
    const w = gradient();
    let best = -1;
    for (let j = 0; j < n; j++) if (!passive[j] && scale[j]! > 0 && w[j]! > tol && (best < 0 || w[j]! > w[best]!)) best = j;
    if (best < 0) break;
    passive[best] = true;
    for (let inner = 0; inner < 3 * n + 10; inner++) {
      const z = solvePassive(m, n, col, b, passive);
      let alpha = 1;
      let blocked = false;
      for (let j = 0; j < n; j++) {
        if (passive[j] && z[j]! <= 0) {
          blocked = true;
          const step = x[j]! / (x[j]! - z[j]!);
          if (step < alpha) alpha = step;
        }
      }
      if (!blocked) {
        for (let j = 0; j < n; j++) x[j] = passive[j] ? z[j]! : 0;
        break;
      }
      for (let j = 0; j < n; j++) {
        x[j] = x[j]! + alpha * (z[j]! - x[j]!);
        if (passive[j] && x[j]! <= 1e-15) {
          passive[j] = false;
          x[j] = 0;
        }
      }
    }
  }
  return x.map((xj, j) => (scale[j]! > 0 ? Math.max(0, xj) / scale[j]! : 0));
}

/** Unconstrained least squares on the passive columns (normal equations, Gaussian elimination with pivoting). */
function solvePassive(m: number, n: number, col: (i: number, j: number) => number, b: readonly number[], passive: readonly boolean[]): number[] {
  const idx: number[] = [];
  for (let j = 0; j < n; j++) if (passive[j]) idx.push(j);
  const k = idx.length;
  const g = Array.from({ length: k }, (_, r) => {
    const row = new Array<number>(k + 1).fill(0);
    for (let c = 0; c < k; c++) for (let i = 0; i < m; i++) row[c] = row[c]! + col(i, idx[r]!) * col(i, idx[c]!);
    for (let i = 0; i < m; i++) row[k] = row[k]! + col(i, idx[r]!) * b[i]!;
    row[r] = row[r]! + 1e-12; // keeps a rank-deficient system solvable
    return row;
  });
  for (let p = 0; p < k; p++) {
    let piv = p;
    for (let r = p + 1; r < k; r++) if (Math.abs(g[r]![p]!) > Math.abs(g[piv]![p]!)) piv = r;
    [g[p], g[piv]] = [g[piv]!, g[p]!];
    const d = g[p]![p]!;
    for (let r = 0; r < k; r++) {
      if (r === p) continue;
      const f = g[r]![p]! / d;
      for (let c = p; c <= k; c++) g[r]![c] = g[r]![c]! - f * g[p]![c]!;
    }
  }
  const z = new Array<number>(n).fill(0);
  for (let r = 0; r < k; r++) z[idx[r]!] = g[r]![k]! / g[r]![r]!;
  return z;
}
