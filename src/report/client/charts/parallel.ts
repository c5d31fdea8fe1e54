/**
 * Parallel coordinates over the params and the objective: log axes for log params, category axes for categoricals.
 * ECharts draws the axes, the colour legend and the brush; the lines are ours (`parallelLines`, drawn by
 * parallel-lines.ts on a canvas under the axes), because ECharts redrawing 10,000 polylines after every brush took
 * 300-850 ms (BENCHMARKS.md "Report"). `brushMask` turns the axes' brushed intervals into the trial mask that
 * filters the table, the other charts and the lines.
 */
import type { EChartsOption } from 'echarts';
import type { ParamColumn } from '../../data.js';
import type { Model } from '../model.js';
import { empty, type ChartResult } from './types.js';

/** Brushed intervals per axis, keyed by the axis id (`pa-<k>`; the objective is the last axis). */
export type BrushRanges = ReadonlyMap<string, readonly (readonly [number, number])[]>;

export const axisId = (k: number) => `pa-${k}`;

/** The trials the parallel chart draws: those with a finite objective. */
export function parallelRows(model: Model): number[] {
  const rows: number[] = [];
  for (let i = 0; i < model.n; i++) if (model.data.trials.value[i] !== null) rows.push(i);
  return rows;
}

/** The colour scale's ends (the visual map's legend and the lines' buckets): light for bad values, dark for good. */
const LIGHT = '#d0d8e8';
const DARK = '#08306b';
/** Colour buckets of the lines: one canvas path each, so a redraw is a few strokes, not one per line. */
export const COLOUR_BUCKETS = 16;

function axisFor(model: Model, rows: readonly number[]) {
  return (p: ParamColumn, k: number): Record<string, unknown> => {
    const base = { dim: k, id: axisId(k), name: p.name, nameLocation: 'start' as const };
    if (p.choices !== null) return { ...base, type: 'category', data: p.choices.map(String) };
    const usable = p.log && p.values.every((v) => v === null || v > 0);
    if (p.min !== null && p.max !== null) return { ...base, type: usable ? 'log' : 'value', min: p.min, max: p.max };
    // No bounds in the space: the extent of the values drawn (ECharts can't find it from an empty series).
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const i of rows) {
      const v = p.values[i];
      if (v === null || v === undefined) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return { ...base, type: usable ? 'log' : 'value', ...(lo <= hi ? { min: lo, max: hi === lo ? lo + 1 : hi } : { scale: true }) };
  };
}

/** [lo, hi] widened to multiples of a 1-2-5 step (about 5 ticks), as ECharts' `scale: true` rounds an extent. */
export function niceRange(lo: number, hi: number): [number, number] {
  const raw = (hi - lo) / 5;
  const e = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * e).find((s) => s >= raw) ?? 10 * e;
  const round = (x: number) => Number(x.toPrecision(12)); // 0.30000000000000004 → 0.3 for the axis label
  return [round(Math.floor(lo / step) * step), round(Math.ceil(hi / step) * step)];
}

function objectiveRange(model: Model, rows: readonly number[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const i of rows) {
    const v = model.data.trials.value[i]!;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return [lo, hi === lo ? lo + 1 : hi];
}

export function parallelOption(model: Model): ChartResult {
  const params = model.data.params;
  if (params.length === 0) return empty('The study has no searched params to draw.');
  const rows = parallelRows(model);
  if (rows.length === 0) return empty('No trial has a value yet: parallel coordinates appear once trials report.');
  const k = params.length;
  const [lo, hi] = objectiveRange(model, rows);
  const [axisLo, axisHi] = niceRange(lo, hi);
  // The series holds no data (the lines are drawn outside ECharts), so the objective's extent is given, not found.
  const axes = [...params.map(axisFor(model, rows)), { dim: k, id: axisId(k), name: model.data.study.metric, type: 'value', min: axisLo, max: axisHi, nameLocation: 'start' }];
  const big = rows.length > 10_000;
  const option = {
    animation: false,
    parallel: { left: 60, right: 90, top: 40, bottom: 40, parallelAxisDefault: { realtime: !big, nameTextStyle: { fontWeight: 'bold' } } },
    parallelAxis: axes,
    visualMap: {
      type: 'continuous', dimension: k, orient: 'vertical', right: 0, top: 'middle', itemHeight: 160, calculable: false,
      min: lo, max: hi,
      inRange: { color: model.sign > 0 ? [LIGHT, DARK] : [DARK, LIGHT] }, text: ['high', 'low'],
    },
    // No data: parallel-lines.ts draws the lines on its own canvas under these axes.
    series: [{ type: 'parallel', id: 'parallel', data: [] }],
  } as EChartsOption;
  return { kind: 'chart', option, points: rows.length };
}

/** The lines to draw, grouped by colour bucket, with each axis' values as a typed column. */
export interface ParallelLines {
  /** Trial index of each line, bucket by bucket from the worst values to the best (drawn last, so on top). */
  readonly rows: Int32Array;
  /** One column per axis (the params, then the objective), one value per line in `rows`' order; NaN where missing. */
  readonly columns: readonly Float64Array[];
  /** Lines of bucket b are `rows[bucketStart[b]] … rows[bucketStart[b + 1] - 1]`. */
  readonly bucketStart: Int32Array;
  /** The colour of each bucket: the visual map's scale at the bucket's middle. */
  readonly colours: readonly string[];
  /** Opacity of a line when nothing is brushed (many lines: faint, so density shows). */
  readonly opacity: number;
}

function mix(a: string, b: string, t: number): string {
  const c = (s: string, k: number) => Number.parseInt(s.slice(1 + 2 * k, 3 + 2 * k), 16);
  return `rgb(${[0, 1, 2].map((k) => Math.round(c(a, k) + (c(b, k) - c(a, k)) * t)).join(',')})`;
}

/**
 * The parallel chart's lines: every trial with a value, bucketed by how good its value is on the visual map's
 * scale (COLOUR_BUCKETS buckets). Null when the chart is empty (see `parallelOption`).
 */
export function parallelLines(model: Model): ParallelLines | null {
  const params = model.data.params;
  const rows = parallelRows(model);
  if (params.length === 0 || rows.length === 0) return null;
  const [lo, hi] = objectiveRange(model, rows);
  const value = model.data.trials.value;
  const bucketOf = (i: number) => {
    const t = (value[i]! - lo) / (hi - lo);
    return Math.min(COLOUR_BUCKETS - 1, Math.max(0, Math.floor((model.sign > 0 ? t : 1 - t) * COLOUR_BUCKETS)));
  };
  const bucketStart = new Int32Array(COLOUR_BUCKETS + 1);
  for (const i of rows) bucketStart[bucketOf(i) + 1]!++;
  for (let b = 0; b < COLOUR_BUCKETS; b++) bucketStart[b + 1]! += bucketStart[b]!;
  const fill = bucketStart.slice(0, COLOUR_BUCKETS);
  const ordered = new Int32Array(rows.length);
  for (const i of rows) ordered[fill[bucketOf(i)]!++] = i;
  const sources = [...params.map((p) => p.values), value];
  const columns = sources.map((src) => {
    const col = new Float64Array(ordered.length);
    for (let r = 0; r < ordered.length; r++) col[r] = src[ordered[r]!] ?? Number.NaN;
    return col;
  });
  const colours = Array.from({ length: COLOUR_BUCKETS }, (_, b) => mix(LIGHT, DARK, (b + 0.5) / COLOUR_BUCKETS));
  return { rows: ordered, columns, bucketStart, colours, opacity: rows.length > 2000 ? 0.15 : 0.5 };
}

/**
 * 1 for the trials inside every brushed axis (an axis with no interval passes all), null when nothing is brushed.
 * Trials without a value are outside any brush: they have no line to brush.
 */
export function brushMask(model: Model, ranges: BrushRanges): Uint8Array | null {
  const active = [...ranges].filter(([, r]) => r.length > 0);
  if (active.length === 0) return null;
  const k = model.data.params.length;
  const columns = active.map(([id, r]) => {
    const dim = Number(id.slice(3));
    return { r, values: dim === k ? model.data.trials.value : model.data.params[dim]?.values ?? [] };
  });
  const mask = new Uint8Array(model.n);
  for (let i = 0; i < model.n; i++) {
    if (model.data.trials.value[i] === null) continue;
    let inside = true;
    for (const c of columns) {
      const v = c.values[i];
      if (v === null || v === undefined || !c.r.some(([a, b]) => v >= Math.min(a, b) && v <= Math.max(a, b))) {
        inside = false;
        break;
      }
    }
    if (inside) mask[i] = 1;
  }
  return mask;
}
