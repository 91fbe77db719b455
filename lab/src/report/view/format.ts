/**
 * Formats a simulated or published value with sensible precision (— when missing).
 *
 * @public
 */
export function formatValue(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '—';
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 0.01 || a >= 1e7)) return v.toExponential(2);
  if (a >= 100) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(4);
}

/**
 * A relative error as a signed percentage, `+12.3%`.
 *
 * @public
 */
export function formatError(e: number | undefined): string {
  if (e === undefined || !Number.isFinite(e)) return '—';
  const p = e * 100;
  const digits = Math.abs(p) >= 100 ? 0 : 1;
  return `${p >= 0 ? '+' : '−'}${Math.abs(p).toFixed(digits)}%`;
}

/**
 * Escapes text for HTML and SVG.
 *
 * @public
 */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
