import type { ExperimentResult, ResultRow } from '@visorkit/workloads';
import { barChart } from './bar-chart.js';
import { lineChart } from './line-chart.js';
import { timelineChart, type PhaseKind } from './timeline-chart.js';

/**
 * A figure of the report: an inline SVG and its caption.
 *
 * @public
 */
export interface PaperFigure {
  /** Unique within a report (also its file name under `charts/`). */
  readonly id: string;
  readonly caption: string;
  readonly svg: string;
}

/** Units of time: smaller is better, so a ratio to the baseline reads as a slowdown. */
const TIME_UNITS = new Set(['ns', 'us', 'µs', 'ms', 's']);
/** Sweep keys, and what the figure drawn over them is called. */
const SWEEPS: Readonly<Record<string, string>> = { instances: 'concurrency', domains: 'scalability' };
/** Keys that never identify a series of a sweep. */
const PLAIN = new Set(['platform', 'metric', 'value', 'unit', 'counts', 'expected', 'provenance', 'detail']);

/**
 * The figures a paper would draw for one run — relative-performance bars, concurrency and
 * scalability curves, the micro-benchmark table as bars normalised to the baseline, migration
 * timelines, writable working sets over time — chosen from the rows' shape, and none for results a table says better
 * (single numbers, capabilities, flat curves).
 *
 * @public
 */
export function paperFigures(result: ExperimentResult): PaperFigure[] {
  const id = slug(`${result.composition}-${result.profile}-${result.experiment}`);
  const where = `${result.composition} on ${result.profile}`;
  const figures: PaperFigure[] = [];
  const micro = normalisedMicro(result.results);
  if (micro !== undefined) {
    figures.push({
      id: `${id}-normalised`,
      caption: `${result.experiment}: latency of each micro-benchmark relative to ${micro.baseline} (${where}; lower is better).`,
      svg: barChart({
        id: `${id}-normalised`,
        label: `${result.experiment} relative to ${micro.baseline}`,
        categories: micro.categories,
        series: micro.series,
        yLabel: `time relative to ${micro.baseline}`,
        reference: { value: 1, label: micro.baseline },
        ...(micro.logY ? { logY: true } : {}),
      }),
    });
  }
  const relative = relativeBars(result.results);
  if (relative !== undefined) {
    figures.push({
      id: `${id}-relative`,
      caption: `${result.experiment}: score of each workload relative to native (${where}; higher is better).`,
      svg: barChart({
        id: `${id}-relative`,
        label: `${result.experiment} relative performance`,
        categories: relative.categories,
        series: relative.series,
        yLabel: 'relative score (native = 1)',
        reference: { value: 1, label: 'native' },
      }),
    });
  }
  for (const curve of sweepCurves(result.results)) {
    const fid = `${id}-${slug(curve.unit)}-${curve.key}`;
    figures.push({
      id: fid,
      caption: `${result.experiment}: ${curve.metrics.join(', ')} against ${curve.key}, ${SWEEPS[curve.key]} (${where}).`,
      svg: lineChart({
        id: fid,
        label: `${result.experiment} ${curve.metrics.join(', ')}`,
        series: curve.series,
        xLabel: curve.key,
        yLabel: curve.unit,
        ...(curve.logX ? { logX: true } : {}),
      }),
    });
  }
  for (const service of serviceDuringMigration(result.results)) {
    const fid = `${id}-${slug(service.workload)}-service`;
    figures.push({
      id: fid,
      caption: `${result.experiment}: ${service.metric} seen by the users of ${service.workload} while it migrated (${where}); dashed lines mark where each pre-copy round began and where the guest stopped.`,
      svg: lineChart({
        id: fid,
        label: `${result.experiment} ${service.workload} ${service.metric}`,
        series: [{ name: `${service.workload} (${service.platform})`, points: service.points }],
        xLabel: 'time since the migration started (ms)',
        yLabel: `${service.metric} (${service.unit})`,
        marks: service.marks,
      }),
    });
  }
  for (const wws of writableWorkingSets(result.results)) {
    const fid = `${id}-${slug(wws.workload)}-wws`;
    const mean = wws.mean === undefined ? '' : `; mean ${wws.mean.toFixed(1)} pages per window`;
    const distinct = wws.distinct === undefined ? '' : `, ${wws.distinct} distinct pages in all`;
    figures.push({
      id: fid,
      caption: `${result.experiment}: pages ${wws.workload} dirtied in each ${wws.windowMs} ms window while it ran (${where}${mean}${distinct}): what a pre-copy round would have to send again.`,
      svg: lineChart({
        id: fid,
        label: `${result.experiment} ${wws.workload} pages dirtied`,
        series: [{ name: `${wws.workload} (${wws.platform})`, points: wws.points }],
        xLabel: 'time (ms)',
        yLabel: `pages dirtied per ${wws.windowMs} ms`,
      }),
    });
  }
  const timeline = migrationTimeline(result.results);
  if (timeline !== undefined) {
    figures.push({
      id: `${id}-timeline`,
      caption: `${result.experiment}: timeline of each migration of a ${timeline.memory} MB guest on ${timeline.platform}, by workload and mode (${where}); the note gives the downtime.`,
      svg: timelineChart({
        id: `${id}-timeline`,
        label: `${result.experiment} timeline`,
        rows: timeline.rows,
        xLabel: 'time since the migration started (ms, log scale)',
        logX: true,
      }),
    });
  }
  return figures;
}

/** The micro-benchmark table as ratios to the baseline platform (native when present). */
function normalisedMicro(
  rows: readonly ResultRow[],
): { baseline: string; categories: string[]; series: { name: string; values: (number | undefined)[] }[]; logY: boolean } | undefined {
  const plain = rows.filter((r) => TIME_UNITS.has(r.unit) && Object.keys(r).every((k) => PLAIN.has(k)));
  const platforms = [...new Set(rows.map((r) => r.platform))];
  const baseline = platforms.includes('native') ? 'native' : platforms[0];
  const metrics = [...new Set(plain.map((r) => r.metric))].filter((m) => plain.some((r) => r.metric === m && r.platform === baseline && r.value > 0));
  if (baseline === undefined || metrics.length < 4 || platforms.length < 2) return undefined;
  const value = (m: string, p: string): number | undefined => plain.find((r) => r.metric === m && r.platform === p)?.value;
  const series = platforms
    .filter((p) => p !== baseline)
    .map((p) => ({
      name: p,
      values: metrics.map((m) => {
        const v = value(m, p);
        return v === undefined ? undefined : v / value(m, baseline)!;
      }),
    }));
  const ratios = series.flatMap((s) => s.values).filter((v): v is number => v !== undefined && v > 0);
  return { baseline, categories: metrics, series, logY: Math.max(...ratios) / Math.min(...ratios) > 30 };
}

/** Scores relative to native, one group per workload, one bar per platform. */
function relativeBars(rows: readonly ResultRow[]): { categories: string[]; series: { name: string; values: (number | undefined)[] }[] } | undefined {
  const rel = rows.filter((r) => r.unit === 'fraction of native');
  if (rel.length === 0) return undefined;
  const categories = [...new Set(rel.map((r) => r.metric))];
  const platforms = [...new Set(rel.map((r) => r.platform))];
  return { categories, series: platforms.map((p) => ({ name: p, values: categories.map((m) => rel.find((r) => r.metric === m && r.platform === p)?.value) })) };
}

/** Curves over a sweep key, one figure per unit, a series per platform (and metric, and other key). */
function sweepCurves(
  rows: readonly ResultRow[],
): { key: string; unit: string; metrics: string[]; series: { name: string; points: { x: number; y: number }[] }[]; logX: boolean }[] {
  const out = [];
  for (const key of Object.keys(SWEEPS)) {
    const swept = rows.filter((r) => typeof r[key] === 'number');
    for (const unit of new Set(swept.map((r) => r.unit))) {
      const group = swept.filter((r) => r.unit === unit);
      const xs = new Set(group.map((r) => r[key] as number));
      const ys = group.map((r) => r.value);
      // Three points make a curve; a flat one is said better in the table.
      if (xs.size < 3 || Math.max(...ys) - Math.min(...ys) <= 0.01 * Math.max(...ys.map(Math.abs))) continue;
      const metrics = [...new Set(group.map((r) => r.metric))];
      const series = new Map<string, { x: number; y: number }[]>();
      for (const r of group) {
        const extra = Object.keys(r)
          .filter((k) => k !== key && !PLAIN.has(k) && typeof r[k] !== 'object')
          .map((k) => `${k}=${String(r[k])}`);
        const name = [r.platform, ...(metrics.length > 1 ? [r.metric] : []), ...extra].join(' · ');
        series.set(name, [...(series.get(name) ?? []), { x: r[key] as number, y: r.value }]);
      }
      const xv = [...xs];
      const logX = xv.every((x) => x > 0 && Number.isInteger(Math.log2(x))) && Math.max(...xv) / Math.min(...xv) >= 8;
      out.push({ key, unit, metrics, series: [...series].map(([name, points]) => ({ name, points })), logX });
    }
  }
  return out;
}

/**
 * The service a migrating workload's users saw, one point per window (rows keyed `t-ms`), with
 * the rounds and the stop from its `total-ms` row's detail as marks.
 */
function serviceDuringMigration(
  rows: readonly ResultRow[],
): { platform: string; workload: string; metric: string; unit: string; points: { x: number; y: number }[]; marks: { x: number; label?: string }[] }[] {
  const out = [];
  const series = rows.filter((r) => typeof r['t-ms'] === 'number' && typeof r['workload'] === 'string');
  for (const total of rows.filter((r) => r.metric === 'total-ms' && typeof r['workload'] === 'string')) {
    const detail = total['detail'] as { rounds?: { round: number; startMs: number }[]; pausedAtMs?: number } | undefined;
    const mine = series.filter((r) => r.platform === total.platform && r['workload'] === total['workload']);
    if (mine.length < 3 || detail?.rounds === undefined) continue;
    const marks: { x: number; label?: string }[] = detail.rounds.map((rd) => ({ x: rd.startMs, ...(rd.round <= 3 ? { label: `r${rd.round}` } : {}) }));
    if (detail.pausedAtMs !== undefined) marks.push({ x: detail.pausedAtMs, label: 'stop' });
    out.push({
      platform: total.platform,
      workload: String(total['workload']),
      metric: mine[0]!.metric,
      unit: mine[0]!.unit,
      points: mine.map((r) => ({ x: r['t-ms'] as number, y: r.value })),
      marks,
    });
  }
  return out;
}

/**
 * A writable working set over time: each workload's `pages-dirtied` rows (key `t-ms`, one per
 * window of the dirty bitmap), with its `mean-pages-dirtied` and `distinct-pages` rows for
 * the caption. One figure per workload and platform: their scales differ by orders of magnitude.
 */
function writableWorkingSets(rows: readonly ResultRow[]): {
  platform: string;
  workload: string;
  windowMs: number;
  points: { x: number; y: number }[];
  mean: number | undefined;
  distinct: number | undefined;
}[] {
  const groups = new Map<string, { platform: string; workload: string; points: { x: number; y: number }[] }>();
  for (const r of rows) {
    const t = r['t-ms'];
    const workload = r['workload'];
    if (r.metric !== 'pages-dirtied' || typeof t !== 'number' || typeof workload !== 'string') continue;
    const key = JSON.stringify([r.platform, workload]);
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { platform: r.platform, workload, points: [] }));
    g.points.push({ x: t, y: r.value });
  }
  const out = [];
  for (const { platform, workload, points } of groups.values()) {
    if (points.length < 3) continue;
    // The windows are evenly spaced, the first ending one window after the start.
    const windowMs = points[1]!.x - points[0]!.x;
    const single = (metric: string): number | undefined =>
      rows.find((r) => r.platform === platform && r['workload'] === workload && r.metric === metric && r['t-ms'] === undefined)?.value;
    out.push({ platform, workload, windowMs, points, mean: single('mean-pages-dirtied'), distinct: single('distinct-pages') });
  }
  return out;
}

/** Phases of each migration (pre-copy, downtime, post-copy push) of the largest guest, first platform. */
function migrationTimeline(
  rows: readonly ResultRow[],
): { platform: string; memory: number; rows: { label: string; phases: { kind: PhaseKind; start: number; end: number }[]; note: string }[] } | undefined {
  const totals = rows.filter((r) => r.metric === 'total-ms' && typeof r['mode'] === 'string');
  if (totals.length === 0) return undefined;
  const platform = totals[0]!.platform;
  const memory = Math.max(...totals.filter((r) => r.platform === platform).map((r) => Number(r['memory-mb'] ?? 0)));
  const mine = totals.filter((r) => r.platform === platform && Number(r['memory-mb'] ?? 0) === memory);
  const out = mine.map((t) => {
    const down =
      rows.find(
        (r) =>
          r.metric === 'downtime-ms' &&
          r.platform === platform &&
          r['mode'] === t['mode'] &&
          r['workload'] === t['workload'] &&
          r['memory-mb'] === t['memory-mb'],
      )?.value ?? 0;
    const total = t.value;
    // Post-copy pauses first and pulls pages after resuming; the others copy first and pause last.
    const phases: { kind: PhaseKind; start: number; end: number }[] =
      t['mode'] === 'post-copy'
        ? [
            { kind: 'downtime', start: 0, end: down },
            { kind: 'post-copy', start: down, end: total },
          ]
        : [...(total > down ? [{ kind: 'pre-copy' as const, start: 0, end: total - down }] : []), { kind: 'downtime', start: total - down, end: total }];
    const workload = t['workload'];
    return {
      label: `${typeof workload === 'string' || typeof workload === 'number' ? String(workload) : ''} · ${String(t['mode'])}`,
      phases,
      note: `down ${fmtMs(down)}`,
    };
  });
  return { platform, memory, rows: out };
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toPrecision(3)} s` : `${ms.toPrecision(3)} ms`;
}

function slug(s: string): string {
  return s
    .replace(/[^a-zA-Z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
}
