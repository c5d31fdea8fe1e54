/**
 * Learning curves: every trial's objective per epoch, pruned and paused trials faded, rung budgets as vertical lines.
 * At most CURVE_CAP curves are drawn (the best ones, then an even sample of the rest) and each curve is reduced to
 * POINTS_PER_CURVE points by LTTB, so 100,000 trials stay drawable; the note says how many are shown.
 */
import type { EChartsOption, SeriesOption } from 'echarts';
import { curveOf, STATE_COLORS, type Model } from '../model.js';
import { lttb } from './lttb.js';
import { empty, LARGE_THRESHOLD, type ChartResult } from './types.js';

export const CURVE_CAP = 2000;
export const BEST_CURVES = 100;
export const POINTS_PER_CURVE = 200;
/** Trial indices stay below this in `pickCurves`' packed sort keys (2^21: twenty times the issue's 100,000 trials). */
const INDEX_SPAN = 2 ** 21;
/** The series id of running trials' curves (shown as 'complete/running', with the finished ones). */
const LIVE = 'running';

/** One drawn curve; `trial` is the trial's index in the columns (for hover and click). */
export interface CurveItem {
  readonly coords: [number, number][];
  readonly trial: number;
  readonly name: string;
}

/**
 * Which trials get a curve: all when they fit, else the BEST_CURVES best by value and a fixed sample of the others:
 * the ones whose trial number hashes lowest. A hash sample, unlike every k-th trial, is stable as a live study grows:
 * a new trial enters it or not and displaces at most one curve, so the page redraws one curve, not all of them.
 */
export function pickCurves(model: Model, candidates: readonly number[], cap = CURVE_CAP): number[] {
  if (candidates.length <= cap) return [...candidates];
  const t = model.data.trials;
  // The best: a bounded insertion list instead of sorting every trial (a live page redoes this per update); ties
  // keep candidate order, as a stable sort would.
  const k = Math.min(BEST_CURVES, cap);
  const top: number[] = [];
  const score = (i: number) => model.sign * t.value[i]!;
  for (const i of candidates) {
    if (t.value[i] === null || (top.length === k && score(i) <= score(top[k - 1]!))) continue;
    let at = top.length;
    while (at > 0 && score(top[at - 1]!) < score(i)) at--;
    top.splice(at, 0, i);
    if (top.length > k) top.pop();
  }
  const chosen = new Set(top);
  // The rest by (hash, index): both packed in one float (hash < 2^32, index < 2^21) for a native numeric sort.
  if (model.n <= INDEX_SPAN) {
    const keys = new Float64Array(candidates.length);
    let m = 0;
    for (const i of candidates) if (!chosen.has(i)) keys[m++] = mix32(t.number[i]!) * INDEX_SPAN + i;
    const rest = keys.subarray(0, m).sort();
    for (let j = 0; j < rest.length && chosen.size < cap; j++) chosen.add(rest[j]! % INDEX_SPAN);
  } else {
    const rest = candidates.filter((i) => !chosen.has(i)).map((i) => [mix32(t.number[i]!), i] as const);
    rest.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (let j = 0; j < rest.length && chosen.size < cap; j++) chosen.add(rest[j]![1]);
  }
  return [...chosen].sort((a, b) => a - b);
}

/** MurmurHash3's 32-bit finaliser (fmix32): spreads consecutive trial numbers evenly over [0, 2^32). */
function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function curvesOption(model: Model, mask: Uint8Array | null): ChartResult {
  const candidates: number[] = [];
  for (let i = 0; i < model.n; i++) if (curveOf(model, i).length > 0 && (mask === null || mask[i] === 1)) candidates.push(i);
  if (candidates.length === 0) {
    return empty(mask === null ? 'No trial has reported an epoch yet: learning curves appear after the first epoch.' : 'No trial with a curve is in the brushed selection.');
  }
  const picked = pickCurves(model, candidates);
  const groups = new Map<string, CurveItem[]>();
  const singles: { value: [number, number, number]; itemStyle: { color: string; opacity: number } }[] = [];
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const i of picked) {
    const raw = curveOf(model, i);
    const pts: [number, number][] = [];
    for (let e = 0; e < raw.length; e++) if (Number.isFinite(raw[e]!)) pts.push([e + 1, raw[e]!]);
    if (pts.length === 0) continue;
    for (const [, y] of pts) {
      lo = Math.min(lo, y);
      hi = Math.max(hi, y);
    }
    const group = faded(model.states[i]!) ? 'pruned/paused' : model.states[i] === 'failed' ? 'failed' : 'complete/running';
    // A running trial's curve grows every epoch: it goes to a small series of its own, so the group's big one stays.
    const key = model.states[i] === 'running' ? LIVE : group;
    if (pts.length === 1) {
      // A one-epoch curve has no line to draw: it is a dot in its group's colour.
      singles.push({ value: [pts[0]![0], pts[0]![1], i], itemStyle: { color: colorOf(group), opacity: group === 'complete/running' ? 0.8 : 0.35 } });
      continue;
    }
    const coords = lttb(pts, POINTS_PER_CURVE);
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = []));
    g.push({ coords, trial: i, name: `trial #${model.data.trials.number[i]}` });
  }
  // The live series draws after the settled ones and under the same legend entry.
  const keys = [...groups.keys()].sort((a, b) => Number(a === LIVE) - Number(b === LIVE));
  const series: SeriesOption[] = keys.map((key) => [key === LIVE ? 'complete/running' : key, groups.get(key)!] as const).map(([group, data], k) => ({
    type: 'lines', id: keys[k]!, name: group, coordinateSystem: 'cartesian2d', polyline: true, data,
    // Large mode draws a group's polylines as one canvas path (hover and click still find the curve).
    large: data.length > LARGE_THRESHOLD, largeThreshold: LARGE_THRESHOLD,
    lineStyle: { width: 1, color: colorOf(group), opacity: group === 'complete/running' ? 0.55 : 0.18 },
    emphasis: { lineStyle: { width: 3, opacity: 1 } },
  }));
  if (singles.length > 0) {
    series.push({ type: 'scatter', id: 'single-epoch', name: 'one epoch', data: singles, symbolSize: 4, large: singles.length > 1000, itemStyle: { color: STATE_COLORS.pruned } });
  }
  const budgets = model.data.fidelity?.budgets ?? [];
  if (budgets.length > 0 && series[0] !== undefined) {
    (series[0] as { markLine?: unknown }).markLine = {
      silent: true, symbol: 'none', lineStyle: { color: '#666', type: 'dashed' },
      label: { formatter: 'rung {c}' }, data: budgets.map((b) => ({ xAxis: b })),
    };
  }
  const maxEpoch = Math.max(...picked.map((i) => curveOf(model, i).length), ...budgets);
  const option: EChartsOption = {
    animation: false,
    legend: { top: 0 },
    tooltip: { trigger: 'item', formatter: (p: unknown) => {
      const d = (p as { data?: CurveItem | { value: number[] } }).data;
      if (d === undefined) return '';
      return 'name' in d ? d.name : `trial #${model.data.trials.number[d.value[2]!]}`;
    } },
    grid: { left: 60, right: 30, top: 40, bottom: 50 },
    xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 28, min: 1, max: Math.max(2, maxEpoch), minInterval: 1 },
    // 'lines' series give the axes no extent of their own: set it from the drawn points.
    yAxis: { type: 'value', name: model.data.study.metric, ...valueAxisBounds(lo, hi) },
    dataZoom: [{ type: 'inside' }],
    series,
  };
  const note = picked.length < candidates.length ? `Showing ${picked.length.toLocaleString('en')} of ${candidates.length.toLocaleString('en')} curves: the ${BEST_CURVES} best and an even sample of the rest.` : undefined;
  return { kind: 'chart', option, points: picked.length, ...(note === undefined ? {} : { note }) };
}

function colorOf(group: string): string {
  return group === 'failed' ? STATE_COLORS.failed! : group === 'pruned/paused' ? STATE_COLORS.pruned! : STATE_COLORS.complete!;
}

/** Axis bounds a little outside [lo, hi], rounded to the range's order of magnitude. */
/** The value axis's ends: the curves' range padded by 5 %, on a power-of-ten step, without binary noise in the label. */
export function valueAxisBounds(lo: number, hi: number): { readonly min: number; readonly max: number } {
  const pad = (hi - lo || Math.max(Math.abs(lo), Math.abs(hi)) || 1) * 0.05;
  const step = 10 ** Math.floor(Math.log10(pad));
  // k * step carries float noise (961 * 0.001 is 0.9610000000000001); 12 significant digits drop it.
  const onGrid = (k: number): number => Number((k * step).toPrecision(12));
  return { min: onGrid(Math.floor((lo - pad) / step)), max: onGrid(Math.ceil((hi + pad) / step)) };
}

function faded(state: string): boolean {
  return state === 'pruned' || state === 'paused';
}

