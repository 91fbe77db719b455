import { escapeXml } from './format.js';
import { fills, legend, linearScale, logScale, r, svgDocument, text, type Frame } from './svg-kit.js';

/**
 * What a guest is doing during a stretch of a migration.
 *
 * @public
 */
export type PhaseKind = 'pre-copy' | 'downtime' | 'post-copy';

/**
 * Horizontal phase bars on a shared time axis (migration timelines).
 *
 * @public
 */
export interface TimelineSpec {
  readonly id: string;
  readonly label: string;
  readonly rows: readonly {
    readonly label: string;
    readonly phases: readonly { readonly kind: PhaseKind; readonly start: number; readonly end: number }[];
    readonly note: string;
  }[];
  readonly xLabel: string;
  /** A logarithmic time axis, when totals span orders of magnitude. */
  readonly logX?: boolean;
}

const KIND_ORDER: readonly PhaseKind[] = ['pre-copy', 'downtime', 'post-copy'];
const KIND_NAMES: Record<PhaseKind, string> = {
  'pre-copy': 'guest runs on source, pages copied',
  downtime: 'guest paused (downtime)',
  'post-copy': 'guest runs on target, pages pulled',
};

/**
 * Renders a timeline: one bar per row, its phases filled by kind, the note at the bar's end.
 *
 * @public
 */
export function timelineChart(spec: TimelineSpec): string {
  const width = 680;
  const labelW = Math.min(200, 14 + Math.max(...spec.rows.map((x) => x.label.length)) * 6.2);
  const { defs, fill } = fills(spec.id);
  const kindFill = (k: PhaseKind): string => fill([3, 0, 4][KIND_ORDER.indexOf(k)]!);
  const kinds = KIND_ORDER.filter((k) => spec.rows.some((row) => row.phases.some((p) => p.kind === k)));
  const leg = legend(
    labelW,
    16,
    width - labelW - 10,
    kinds.map((k) => ({
      name: KIND_NAMES[k],
      swatch: (x, y) => `<rect x="${x}" y="${y - 5}" width="16" height="10" fill="${kindFill(k)}" stroke="#000" stroke-width="0.8"/>`,
    })),
  );
  const top = 10 + leg.height;
  const rowH = 17;
  const frame: Frame = { x: labelW, y: top, w: width - labelW - 120, h: spec.rows.length * rowH };
  const height = top + frame.h + 44;
  const ends = spec.rows.flatMap((row) => row.phases.map((p) => p.end)).filter((v) => v > 0);
  const logX = spec.logX === true;
  const scale = logX
    ? logScale(Math.min(...ends), Math.max(...ends), frame.x, frame.x + frame.w)
    : linearScale(0, Math.max(...ends), frame.x, frame.x + frame.w, 6);
  const x0 = logX ? scale.ticks[0]! : 0;
  const at = (v: number): number => scale.at(Math.max(v, x0));
  const parts: string[] = [`<defs>${defs}</defs>`, leg.svg];
  spec.rows.forEach((row, i) => {
    const y = frame.y + i * rowH + 3;
    parts.push(text(frame.x - 6, y + 10, row.label, 'text-anchor="end"'));
    for (const p of row.phases) {
      const xa = at(p.start);
      const xb = Math.max(at(p.end), xa + 1.2);
      parts.push(
        `<rect x="${r(xa)}" y="${r(y)}" width="${r(xb - xa)}" height="${rowH - 6}" fill="${kindFill(p.kind)}" stroke="#000" stroke-width="0.7"><title>${escapeXml(`${row.label}: ${p.kind} ${p.start.toPrecision(4)}–${p.end.toPrecision(4)}`)}</title></rect>`,
      );
    }
    const end = Math.max(...row.phases.map((p) => at(p.end)));
    parts.push(text(end + 5, y + 10, row.note, 'font-size="10.5"'));
  });
  const axisY = frame.y + frame.h + 2;
  parts.push(
    `<line x1="${frame.x}" y1="${axisY}" x2="${frame.x + frame.w}" y2="${axisY}" stroke="#000"/>`,
    `<line x1="${frame.x}" y1="${frame.y}" x2="${frame.x}" y2="${axisY}" stroke="#000"/>`,
  );
  for (const t of scale.ticks) {
    const x = scale.at(t);
    parts.push(`<line x1="${r(x)}" y1="${axisY}" x2="${r(x)}" y2="${axisY + 4}" stroke="#000"/>`, text(x, axisY + 16, scale.format(t), 'text-anchor="middle"'));
  }
  parts.push(text(frame.x + frame.w / 2, axisY + 34, spec.xLabel, 'text-anchor="middle"'));
  return svgDocument(width, height, spec.label, parts.join(''));
}
