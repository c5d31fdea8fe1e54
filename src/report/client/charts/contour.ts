/**
 * Contour (as a heatmap) of the two most important params: the best objective of the trials in each cell of a
 * BINS × BINS grid (log-spaced for log params, one cell per category for categoricals). Unlike optuna-dashboard,
 * which turns contours off above 100 trials, binning makes the cost one pass over the trials at any size.
 */
import type { EChartsOption } from 'echarts';
import type { ParamColumn } from '../../data.js';
import { formatNumber, type Model } from '../model.js';
import { empty, type ChartResult } from './types.js';

export const BINS = 20;

/** The two params to plot: the top two of the first importance estimate, else the first two params. */
export function contourParams(model: Model): { params: [ParamColumn, ParamColumn]; byImportance: boolean } | null {
  const params = model.data.params.filter((p) => p.kind !== 'fixed');
  if (params.length < 2) return null;
  const est = model.data.importance?.estimates ?? [];
  if (est.length > 0) {
    // Mean share over the estimators, so both methods have a say.
    const score = (p: ParamColumn) => est.reduce((s, e) => s + (e.importances[p.name] ?? 0), 0) / est.length;
    const ranked = [...params].sort((a, b) => score(b) - score(a));
    return { params: [ranked[0]!, ranked[1]!], byImportance: true };
  }
  return { params: [params[0]!, params[1]!], byImportance: false };
}

interface Binning {
  readonly labels: string[];
  readonly bin: (v: number) => number;
}

function binning(p: ParamColumn): Binning | null {
  if (p.choices !== null) return { labels: p.choices.map(String), bin: (v) => v };
  const finite = p.values.filter((v): v is number => v !== null);
  const log = p.log && finite.every((v) => v > 0);
  const f = log ? Math.log : (v: number) => v;
  const lo = f(p.min ?? Math.min(...finite));
  const hi = f(p.max ?? Math.max(...finite));
  if (!(hi > lo)) return { labels: [formatNumber(p.min ?? finite[0] ?? 0)], bin: () => 0 };
  const width = (hi - lo) / BINS;
  const labels = Array.from({ length: BINS }, (_, b) => formatNumber(log ? Math.exp(lo + (b + 0.5) * width) : lo + (b + 0.5) * width, 3));
  return { labels, bin: (v) => Math.min(BINS - 1, Math.max(0, Math.floor((f(v) - lo) / width))) };
}

export function contourOption(model: Model, mask: Uint8Array | null): ChartResult {
  const pick = contourParams(model);
  if (pick === null) return empty('A contour needs at least two searched params.');
  if (model.withValue === 0) return empty('No trial has a value yet: the contour appears once trials report.');
  const [px, py] = pick.params;
  const bx = binning(px);
  const by = binning(py);
  if (bx === null || by === null) return empty('The params have no values to bin.');
  const cells = new Map<number, number>();
  let used = 0;
  for (let i = 0; i < model.n; i++) {
    const v = model.data.trials.value[i];
    const x = px.values[i];
    const y = py.values[i];
    if (v === null || v === undefined || x === null || x === undefined || y === null || y === undefined || (mask !== null && mask[i] !== 1)) continue;
    used++;
    const key = bx.bin(x) * 4096 + by.bin(y);
    const old = cells.get(key);
    if (old === undefined || model.sign * v > model.sign * old) cells.set(key, v);
  }
  if (used === 0) return empty('No trial with a value is in the brushed selection.');
  const data = [...cells].map(([key, v]) => [Math.floor(key / 4096), key % 4096, v]);
  const values = data.map((d) => d[2]!);
  const option = {
    animation: false,
    tooltip: { trigger: 'item', formatter: (p: unknown) => {
      const d = (p as { data?: number[] }).data ?? [];
      return `${px.name} ≈ ${bx.labels[d[0]!]}<br>${py.name} ≈ ${by.labels[d[1]!]}<br>best ${model.data.study.metric}: ${d[2]}`;
    } },
    grid: { left: 90, right: 110, top: 30, bottom: 60 },
    xAxis: { type: 'category', data: bx.labels, name: px.name, nameLocation: 'middle', nameGap: 40, splitArea: { show: true } },
    yAxis: { type: 'category', data: by.labels, name: py.name, nameLocation: 'end', splitArea: { show: true } },
    visualMap: {
      min: Math.min(...values), max: Math.max(...values), calculable: true, orient: 'vertical', right: 0, top: 'middle',
      inRange: { color: model.sign > 0 ? ['#f7fbff', '#08306b'] : ['#08306b', '#f7fbff'] },
    },
    series: [{ type: 'heatmap', id: 'contour', data, emphasis: { itemStyle: { borderColor: '#000', borderWidth: 1 } } }],
  } as EChartsOption;
  const note = `${px.name} × ${py.name}${pick.byImportance ? ' (the two most important params)' : ' (the first two params: no importance estimate)'}: best ${model.data.study.metric} per cell, ${used.toLocaleString('en')} trials.`;
  return { kind: 'chart', option, points: data.length, note };
}
