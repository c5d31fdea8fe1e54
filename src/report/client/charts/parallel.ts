/**
 * Parallel coordinates over the params and the objective: log axes for log params, category axes for categoricals.
 * ECharts draws the brushed lines itself; `brushMask` turns the axes' brushed intervals into the trial mask that
 * filters the table and the other charts.
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

function axisFor(p: ParamColumn, k: number): Record<string, unknown> {
  const base = { dim: k, id: axisId(k), name: p.name, nameLocation: 'start' as const };
  if (p.choices !== null) return { ...base, type: 'category', data: p.choices.map(String) };
  const usable = p.log && p.values.every((v) => v === null || v > 0);
  return { ...base, type: usable ? 'log' : 'value', ...(p.min !== null && p.max !== null ? { min: p.min, max: p.max } : { scale: true }) };
}

export function parallelOption(model: Model): ChartResult {
  const params = model.data.params;
  if (params.length === 0) return empty('The study has no searched params to draw.');
  const rows = parallelRows(model);
  if (rows.length === 0) return empty('No trial has a value yet: parallel coordinates appear once trials report.');
  const k = params.length;
  const data: (number | null)[][] = rows.map((i) => [...params.map((p) => p.values[i] ?? null), model.data.trials.value[i]!]);
  const axes = [...params.map(axisFor), { dim: k, id: axisId(k), name: model.data.study.metric, type: 'value', scale: true, nameLocation: 'start' }];
  const big = rows.length > 10_000;
  const option = {
    animation: false,
    parallel: { left: 60, right: 90, top: 40, bottom: 40, parallelAxisDefault: { realtime: !big, nameTextStyle: { fontWeight: 'bold' } } },
    parallelAxis: axes,
    visualMap: {
      type: 'continuous', dimension: k, orient: 'vertical', right: 0, top: 'middle', itemHeight: 160, calculable: false,
      min: Math.min(...rows.map((i) => model.data.trials.value[i]!)), max: Math.max(...rows.map((i) => model.data.trials.value[i]!)),
      inRange: { color: model.sign > 0 ? ['#d0d8e8', '#08306b'] : ['#08306b', '#d0d8e8'] }, text: ['high', 'low'],
    },
    series: [{
      type: 'parallel', id: 'parallel', data, smooth: false,
      lineStyle: { width: 1, opacity: rows.length > 2000 ? 0.15 : 0.5 },
      inactiveOpacity: 0.02, activeOpacity: 1,
      progressive: big ? 2000 : 0, progressiveThreshold: 3000,
    }],
  } as EChartsOption;
  return { kind: 'chart', option, points: rows.length };
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
