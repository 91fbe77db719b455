import { escapeXml } from './format.js';

/**
 * The serif face of a printed paper's figures, with fallbacks every system has.
 *
 * @public
 */
export const FONT = "'Times New Roman', Times, 'Liberation Serif', 'Nimbus Roman', 'DejaVu Serif', serif";

/**
 * Plot area inside an SVG: left, top, width, height.
 *
 * @public
 */
export interface Frame {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/**
 * A linear or log₂/log₁₀ axis mapping data to pixels.
 *
 * @public
 */
export interface Scale {
  readonly at: (v: number) => number;
  readonly ticks: readonly number[];
  readonly format: (v: number) => string;
}

/**
 * Round tick values covering [lo, hi], about `count` of them.
 *
 * @public
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1]! < hi) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

/**
 * A tick label: compact, no trailing zeros.
 *
 * @public
 */
export function tickLabel(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(4)));
}

/**
 * A linear scale from 0 (or `lo`) to a round maximum over `hi`, onto [pxFrom, pxTo].
 *
 * @public
 */
export function linearScale(lo: number, hi: number, pxFrom: number, pxTo: number, count = 5): Scale {
  const ticks = niceTicks(lo, hi, count);
  const t0 = ticks[0]!;
  const t1 = ticks[ticks.length - 1]!;
  return { ticks, at: (v) => pxFrom + ((v - t0) / (t1 - t0)) * (pxTo - pxFrom), format: tickLabel };
}

/**
 * A logarithmic scale over powers of `base` covering [lo, hi] (both > 0).
 *
 * @public
 */
export function logScale(lo: number, hi: number, pxFrom: number, pxTo: number, base = 10): Scale {
  const e0 = Math.floor(Math.log(lo) / Math.log(base) + 1e-9);
  const e1 = Math.max(e0 + 1, Math.ceil(Math.log(hi) / Math.log(base) - 1e-9));
  const ticks: number[] = [];
  for (let e = e0; e <= e1; e++) ticks.push(base ** e);
  return { ticks, at: (v) => pxFrom + ((Math.log(v) / Math.log(base) - e0) / (e1 - e0)) * (pxTo - pxFrom), format: tickLabel };
}

/**
 * Fills of a black-and-white printed figure: solid black, white, greys, hatching. Patterns are
 * defined per figure (`defs`), with ids prefixed so many figures can share one page.
 *
 * @public
 */
export function fills(id: string): { defs: string; fill: (i: number) => string } {
  const p = (name: string) => `${id}-${name}`;
  const defs = [
    `<pattern id="${p('hatch')}" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="5" height="5" fill="#fff"/><line x1="0" y1="0" x2="0" y2="5" stroke="#000" stroke-width="1.6"/></pattern>`,
    `<pattern id="${p('cross')}" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#fff"/><path d="M0 0L6 6M6 0L0 6" stroke="#000" stroke-width="0.9"/></pattern>`,
    `<pattern id="${p('dots')}" width="4" height="4" patternUnits="userSpaceOnUse"><rect width="4" height="4" fill="#fff"/><circle cx="2" cy="2" r="0.9" fill="#000"/></pattern>`,
    `<pattern id="${p('back')}" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)"><rect width="5" height="5" fill="#bbb"/><line x1="0" y1="0" x2="0" y2="5" stroke="#000" stroke-width="1"/></pattern>`,
  ].join('');
  const order = [
    '#1c1c1c',
    '#ffffff',
    '#8f8f8f',
    `url(#${p('hatch')})`,
    '#d4d4d4',
    `url(#${p('cross')})`,
    '#555555',
    `url(#${p('dots')})`,
    `url(#${p('back')})`,
  ];
  return { defs, fill: (i) => order[i % order.length]! };
}

/**
 * Line styles of a printed figure: dash patterns and marker shapes.
 *
 * @public
 */
export const DASHES = ['', '6,3', '2,2', '9,3,2,3', '4,2,1,2', '1,3'];

/**
 * A marker of shape `i` (circle, square, triangle, diamond; filled or open) at (x, y).
 *
 * @public
 */
export function marker(i: number, x: number, y: number): string {
  const open = Math.floor(i / 4) % 2 === 1;
  const fill = open ? '#fff' : '#000';
  const s = 3.2;
  const common = `fill="${fill}" stroke="#000" stroke-width="1"`;
  switch (i % 4) {
    case 0:
      return `<circle cx="${r(x)}" cy="${r(y)}" r="${s}" ${common}/>`;
    case 1:
      return `<rect x="${r(x - s)}" y="${r(y - s)}" width="${r(2 * s)}" height="${r(2 * s)}" ${common}/>`;
    case 2:
      return `<path d="M${r(x)} ${r(y - s - 0.6)}L${r(x + s + 0.4)} ${r(y + s)}L${r(x - s - 0.4)} ${r(y + s)}Z" ${common}/>`;
    default:
      return `<path d="M${r(x)} ${r(y - s - 0.8)}L${r(x + s + 0.8)} ${r(y)}L${r(x)} ${r(y + s + 0.8)}L${r(x - s - 0.8)} ${r(y)}Z" ${common}/>`;
  }
}

/**
 * Rounds a pixel coordinate to keep the SVG small.
 *
 * @public
 */
export function r(v: number): number {
  return Math.round(v * 10) / 10;
}

/**
 * `<text>` with escaped content.
 *
 * @public
 */
export function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${r(x)}" y="${r(y)}"${attrs ? ' ' + attrs : ''}>${escapeXml(s)}</text>`;
}

/**
 * The left (value) axis: line, outward ticks, labels, rotated title, light grid lines.
 *
 * @public
 */
export function leftAxis(frame: Frame, scale: Scale, title: string): string {
  const parts = [`<line x1="${frame.x}" y1="${frame.y}" x2="${frame.x}" y2="${frame.y + frame.h}" stroke="#000"/>`];
  for (const t of scale.ticks) {
    const y = scale.at(t);
    parts.push(`<line x1="${frame.x - 4}" y1="${r(y)}" x2="${frame.x}" y2="${r(y)}" stroke="#000"/>`);
    parts.push(`<line x1="${frame.x}" y1="${r(y)}" x2="${frame.x + frame.w}" y2="${r(y)}" stroke="#000" stroke-opacity="0.12"/>`);
    parts.push(text(frame.x - 6, y + 3.5, scale.format(t), 'text-anchor="end"'));
  }
  parts.push(text(0, 0, title, `text-anchor="middle" transform="translate(${r(frame.x - 40)} ${r(frame.y + frame.h / 2)}) rotate(-90)"`));
  return parts.join('');
}

/**
 * A legend in one or more rows above the plot: swatch (or line and marker) and name.
 *
 * @public
 */
export function legend(
  x: number,
  y: number,
  width: number,
  items: readonly { name: string; swatch: (x: number, y: number) => string }[],
): { svg: string; height: number } {
  const parts: string[] = [];
  let cx = x;
  let cy = y;
  for (const item of items) {
    const w = 26 + item.name.length * 6.2;
    if (cx + w > x + width && cx > x) {
      cx = x;
      cy += 16;
    }
    parts.push(item.swatch(cx, cy - 4), text(cx + 22, cy, item.name));
    cx += w + 10;
  }
  return { svg: parts.join(''), height: cy - y + 16 };
}

/**
 * Wraps the parts in an `<svg>` of the paper style.
 *
 * @public
 */
export function svgDocument(width: number, height: number, label: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(label)}" font-family="${FONT}" font-size="12" fill="#000">${body}</svg>`;
}
