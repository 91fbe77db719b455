import { fills, leftAxis, legend, linearScale, logScale, r, svgDocument, text, type Frame } from './svg-kit.js';

/**
 * Grouped bars: one group per category, one bar per series.
 *
 * @public
 */
export interface BarChartSpec {
  /** Unique on the page (pattern ids derive from it). */
  readonly id: string;
  readonly label: string;
  readonly categories: readonly string[];
  readonly series: readonly { readonly name: string; readonly values: readonly (number | undefined)[] }[];
  readonly yLabel: string;
  /** A dashed reference line, e.g. native = 1. */
  readonly reference?: { readonly value: number; readonly label: string };
  /** Logarithmic value axis (for ratios spanning orders of magnitude). */
  readonly logY?: boolean;
}

/**
 * Renders grouped bars in a printed paper's style (black, white, grey and hatched bars).
 *
 * @public
 */
export function barChart(spec: BarChartSpec): string {
  const n = spec.categories.length;
  const k = Math.max(1, spec.series.length);
  const barW = Math.max(5, Math.min(16, 90 / k));
  const groupW = k * barW + 10;
  const rotate = n > 6 || spec.categories.some((c) => c.length * 6 > groupW);
  const longest = Math.max(...spec.categories.map((c) => c.length));
  const { defs, fill } = fills(spec.id);
  const width = Math.max(420, 70 + n * groupW + 16);
  const leg = legend(
    60,
    16,
    width - 70,
    spec.series.map((s, i) => ({
      name: s.name,
      swatch: (x, y) => `<rect x="${x}" y="${y - 5}" width="16" height="10" fill="${fill(i)}" stroke="#000" stroke-width="0.8"/>`,
    })),
  );
  const top = 10 + leg.height;
  const bottom = rotate ? 16 + Math.min(longest, 22) * 5.2 : 34;
  const height = top + 220 + bottom;
  const frame: Frame = { x: 62, y: top, w: width - 62 - (spec.reference !== undefined ? 52 : 12), h: height - top - bottom };
  const values = spec.series.flatMap((s) => s.values.filter((v): v is number => v !== undefined && Number.isFinite(v)));
  const hi = Math.max(...values, spec.reference?.value ?? 0, 0);
  const logY = spec.logY === true && values.every((v) => v > 0);
  const scale = logY
    ? logScale(Math.min(...values, spec.reference?.value ?? Infinity), hi, frame.y + frame.h, frame.y)
    : linearScale(0, hi, frame.y + frame.h, frame.y);
  // On a log axis bars grow from the reference (1 = as fast as native), up when slower, down when faster.
  const base = logY ? scale.at(spec.reference?.value ?? scale.ticks[0]!) : scale.at(0);
  const parts: string[] = [`<defs>${defs}</defs>`, leg.svg, leftAxis(frame, scale, spec.yLabel)];
  const step = frame.w / n;
  spec.categories.forEach((cat, c) => {
    const gx = frame.x + c * step + (step - k * barW) / 2;
    spec.series.forEach((s, i) => {
      const v = s.values[c];
      if (v === undefined || !Number.isFinite(v)) return;
      const y = scale.at(Math.max(v, logY ? scale.ticks[0]! : 0));
      parts.push(
        `<rect x="${r(gx + i * barW)}" y="${r(Math.min(y, base))}" width="${r(barW)}" height="${r(Math.abs(base - y))}" fill="${fill(i)}" stroke="#000" stroke-width="0.8"><title>${s.name} · ${cat}: ${v.toPrecision(4)}</title></rect>`,
      );
    });
    const cx = frame.x + c * step + step / 2;
    parts.push(`<line x1="${r(cx)}" y1="${frame.y + frame.h}" x2="${r(cx)}" y2="${frame.y + frame.h + 4}" stroke="#000"/>`);
    parts.push(
      rotate
        ? text(0, 0, cat, `text-anchor="end" transform="translate(${r(cx + 3)} ${frame.y + frame.h + 12}) rotate(-40)"`)
        : text(cx, frame.y + frame.h + 17, cat, 'text-anchor="middle"'),
    );
  });
  parts.push(`<line x1="${frame.x}" y1="${r(base)}" x2="${frame.x + frame.w}" y2="${r(base)}" stroke="#000"/>`);
  if (spec.reference !== undefined) {
    const y = scale.at(spec.reference.value);
    parts.push(`<line x1="${frame.x}" y1="${r(y)}" x2="${frame.x + frame.w}" y2="${r(y)}" stroke="#000" stroke-dasharray="5,3"/>`);
    parts.push(text(frame.x + frame.w + 4, y + 4, spec.reference.label, 'font-style="italic"'));
  }
  return svgDocument(width, height, spec.label, parts.join(''));
}
