/** Slice plots: the objective against each param, one small scatter per param (log x for log params, categories as such). */
import type { EChartsOption, SeriesOption } from 'echarts';
import { STATE_COLORS, type Model } from '../model.js';
import { empty, LARGE_THRESHOLD, type ChartResult } from './types.js';

export const SLICE_COLUMNS = 3;

export function slicesOption(model: Model, mask: Uint8Array | null): ChartResult {
  const params = model.data.params;
  if (params.length === 0) return empty('The study has no searched params.');
  if (model.withValue === 0) return empty('No trial has a value yet: slice plots appear once trials report.');
  const cols = Math.min(SLICE_COLUMNS, params.length);
  const rows = Math.ceil(params.length / cols);
  const grid: Record<string, unknown>[] = [];
  const xAxis: Record<string, unknown>[] = [];
  const yAxis: Record<string, unknown>[] = [];
  const series: SeriesOption[] = [];
  let points = 0;
  params.forEach((p, k) => {
    const col = k % cols;
    const row = Math.floor(k / cols);
    grid.push({ left: `${(col * 100) / cols + 5}%`, width: `${100 / cols - 8}%`, top: `${(row * 100) / rows + 6}%`, height: `${100 / rows - 14}%` });
    const positive = p.values.every((v) => v === null || v > 0);
    xAxis.push(
      p.choices !== null
        ? { type: 'category', gridIndex: k, name: p.name, nameLocation: 'middle', nameGap: 24, data: p.choices.map(String) }
        : { type: p.log && positive ? 'log' : 'value', gridIndex: k, name: p.name, nameLocation: 'middle', nameGap: 24, scale: true },
    );
    yAxis.push({ type: 'value', gridIndex: k, scale: true, name: k % cols === 0 ? model.data.study.metric : '' });
    const data: [number, number, number][] = [];
    for (let i = 0; i < model.n; i++) {
      const v = model.data.trials.value[i];
      const x = p.values[i];
      if (v === null || v === undefined || x === null || x === undefined || (mask !== null && mask[i] !== 1)) continue;
      data.push([x, v, i]);
    }
    points += data.length;
    series.push({
      type: 'scatter', id: `slice-${k}`, name: p.name, xAxisIndex: k, yAxisIndex: k, data, symbolSize: 4,
      large: data.length > LARGE_THRESHOLD,
      itemStyle: { color: STATE_COLORS.complete, opacity: 0.5 },
    });
  });
  if (points === 0) return empty('No trial with a value is in the brushed selection.');
  const option = {
    animation: false,
    tooltip: { trigger: 'item', formatter: (p: unknown) => {
      const d = (p as { data?: [number, number, number]; seriesName?: string }).data;
      return d === undefined ? '' : `trial #${model.data.trials.number[d[2]]}<br>${(p as { seriesName?: string }).seriesName}: ${d[0]}<br>${model.data.study.metric}: ${d[1]}`;
    } },
    grid, xAxis, yAxis, series,
  } as EChartsOption;
  return { kind: 'chart', option, points };
}
