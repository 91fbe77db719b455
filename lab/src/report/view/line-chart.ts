import { DASHES, leftAxis, legend, linearScale, logScale, marker, r, svgDocument, text, type Frame } from './svg-kit.js';

/**
 * Curves over a swept parameter (concurrency, scalability).
 *
 * @public
 */
export interface LineChartSpec {
  readonly id: string;
  readonly label: string;
  readonly series: readonly { readonly name: string; readonly points: readonly { readonly x: number; readonly y: number }[] }[];
  readonly xLabel: string;
  readonly yLabel: string;
  /** A log₂ x axis (sweeps over powers of two). */
  readonly logX?: boolean;
  /** Vertical marks at x positions (a migration's rounds and its stop), labelled when a label is given. */
  readonly marks?: readonly { readonly x: number; readonly label?: string }[];
}

/**
 * Renders black curves told apart by dash pattern and marker, as a printed figure does.
 *
 * @public
 */
export function lineChart(spec: LineChartSpec): string {
  const width = 560;
  const leg = legend(
    60,
    16,
    width - 70,
    spec.series.map((s, i) => ({
      name: s.name,
      swatch: (x, y) =>
        `<line x1="${x}" y1="${y}" x2="${x + 18}" y2="${y}" stroke="#000" stroke-width="1.3"${DASHES[i % DASHES.length] ? ` stroke-dasharray="${DASHES[i % DASHES.length]}"` : ''}/>${marker(i, x + 9, y)}`,
    })),
  );
  const top = 10 + leg.height;
  const height = top + 230 + 44;
  const frame: Frame = { x: 62, y: top, w: width - 62 - 16, h: 230 };
  const xs = spec.series.flatMap((s) => s.points.map((p) => p.x));
  const ys = spec.series.flatMap((s) => s.points.map((p) => p.y));
  const logX = spec.logX === true && xs.every((x) => x > 0);
  const xScale = logX
    ? logScale(Math.min(...xs), Math.max(...xs), frame.x, frame.x + frame.w, 2)
    : linearScale(Math.min(...xs, 0), Math.max(...xs), frame.x, frame.x + frame.w, 6);
  const yScale = linearScale(0, Math.max(...ys), frame.y + frame.h, frame.y);
  const parts: string[] = [leg.svg, leftAxis(frame, yScale, spec.yLabel)];
  parts.push(`<line x1="${frame.x}" y1="${frame.y + frame.h}" x2="${frame.x + frame.w}" y2="${frame.y + frame.h}" stroke="#000"/>`);
  for (const t of xScale.ticks) {
    const x = xScale.at(t);
    parts.push(
      `<line x1="${r(x)}" y1="${frame.y + frame.h}" x2="${r(x)}" y2="${frame.y + frame.h + 4}" stroke="#000"/>`,
      text(x, frame.y + frame.h + 16, xScale.format(t), 'text-anchor="middle"'),
    );
  }
  parts.push(text(frame.x + frame.w / 2, frame.y + frame.h + 34, spec.xLabel, 'text-anchor="middle"'));
  for (const m of spec.marks ?? []) {
    const x = r(xScale.at(m.x));
    parts.push(`<line x1="${x}" y1="${frame.y}" x2="${x}" y2="${frame.y + frame.h}" stroke="#777" stroke-width="0.8" stroke-dasharray="3,3"/>`);
    if (m.label !== undefined) parts.push(text(x + 3, frame.y + 10, m.label, 'font-size="10"'));
  }
  spec.series.forEach((s, i) => {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    const d = pts.map((p, j) => `${j === 0 ? 'M' : 'L'}${r(xScale.at(p.x))} ${r(yScale.at(p.y))}`).join('');
    const dash = DASHES[i % DASHES.length];
    parts.push(`<path d="${d}" fill="none" stroke="#000" stroke-width="1.3"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    for (const p of pts) parts.push(`<g><title>${s.name}: ${p.x} → ${p.y.toPrecision(4)}</title>${marker(i, xScale.at(p.x), yScale.at(p.y))}</g>`);
  });
  return svgDocument(width, height, spec.label, parts.join(''));
}
