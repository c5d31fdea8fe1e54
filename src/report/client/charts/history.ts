/** Optimisation history: each trial's value against its number and against wall time, by state, with the best so far. */
import type { EChartsOption, SeriesOption } from 'echarts';
import { STATE_COLORS, timeUnit, type Model } from '../model.js';
import { empty, LARGE_THRESHOLD, type ChartResult } from './types.js';

type Point = [number, number, number];

export function historyOption(model: Model, mask: Uint8Array | null): ChartResult {
  if (model.withValue === 0) return empty('No trial has reported a value yet: the history appears once one has.');
  const t = model.data.trials;
  const byState = new Map<string, { byNumber: Point[]; byTime: Point[] }>();
  const order: number[] = [];
  const unit = historyUnit(model);
  // Points per state before the brush: the series' mode follows these, so a brush to a few hundred points keeps the
  // one-path large mode instead of switching to one element per point (which took ECharts 0.2-0.8 s per brush).
  const sizes = new Map<string, number>();
  for (let i = 0; i < model.n; i++) {
    const v = t.value[i];
    if (v === null || v === undefined) continue;
    const state = model.states[i]!;
    sizes.set(state, (sizes.get(state) ?? 0) + 1);
    if (mask !== null && mask[i] !== 1) continue;
    let g = byState.get(state);
    if (g === undefined) byState.set(state, (g = { byNumber: [], byTime: [] }));
    g.byNumber.push([t.number[i]!, v, i]);
    const at = valueTime(model, i);
    if (at !== null) g.byTime.push([at / unit.ms, v, i]);
    order.push(i);
  }
  const shown = order.length;
  if (shown === 0) return empty('No trial with a value is in the brushed selection.');
  const series: SeriesOption[] = [];
  for (const [state, g] of byState) {
    const style = { color: STATE_COLORS[state] ?? '#888', opacity: state === 'complete' ? 0.85 : 0.45 };
    const common = { type: 'scatter' as const, name: state, symbolSize: 5, itemStyle: style, large: sizes.get(state)! > LARGE_THRESHOLD, largeThreshold: 0 };
    series.push({ ...common, id: `n-${state}`, xAxisIndex: 0, yAxisIndex: 0, data: g.byNumber });
    series.push({ ...common, id: `t-${state}`, xAxisIndex: 1, yAxisIndex: 1, data: g.byTime });
  }
  series.push(bestLine(model, order, (i) => t.number[i]!, 0, 'best-n'));
  const when = (i: number) => lastReport(t.heartbeat[i], t.finished[i]);
  const timed = order.filter((i) => when(i) !== null);
  timed.sort((a, b) => when(a)! - when(b)!);
  series.push(bestLine(model, timed, (i) => when(i)! / unit.ms, 1, 'best-t'));
  const option: EChartsOption = {
    animation: false,
    legend: { top: 0 },
    tooltip: { trigger: 'item', formatter: tooltip(model) },
    grid: [{ left: 60, right: '53%', top: 40, bottom: 50 }, { left: '55%', right: 20, top: 40, bottom: 50 }],
    xAxis: [
      { type: 'value', name: 'trial #', nameLocation: 'middle', nameGap: 28, gridIndex: 0, min: 'dataMin', max: 'dataMax', minInterval: 1 },
      { type: 'value', name: `wall time (${unit.label})`, nameLocation: 'middle', nameGap: 28, gridIndex: 1, min: 0 },
    ],
    yAxis: [
      { type: 'value', name: model.data.study.metric, scale: true, gridIndex: 0 },
      { type: 'value', scale: true, gridIndex: 1 },
    ],
    dataZoom: [{ type: 'inside', xAxisIndex: [0] }, { type: 'inside', xAxisIndex: [1] }],
    series,
  };
  return { kind: 'chart', option, points: shown };
}

/** The wall-time axis' unit: seconds, minutes or hours, by the study's length. */
export function historyUnit(model: Model): { readonly label: string; readonly ms: number } {
  const t = model.data.trials;
  let maxT = 0;
  for (let i = 0; i < model.n; i++) maxT = Math.max(maxT, t.finished[i] ?? t.started[i] ?? 0);
  return timeUnit(maxT);
}

/** When trial i's value was reached: its last report, not the finish (a pruned trial is pruned later, while paused). */
export function valueTime(model: Model, i: number): number | null {
  const t = model.data.trials;
  return lastReport(t.heartbeat[i], t.finished[i]) ?? t.started[i] ?? null;
}

/** Best value so far among complete trials (every trial with a value when none is complete), as a step line. */
function bestLine(model: Model, order: readonly number[], x: (i: number) => number, axis: number, id: string): SeriesOption {
  return {
    type: 'line', id, name: 'best so far', step: 'end', showSymbol: false, xAxisIndex: axis, yAxisIndex: axis, data: bestSoFar(model, order, x),
    lineStyle: { color: '#222', width: 2 }, itemStyle: { color: '#222' }, z: 5, silent: true,
  };
}

/** The best-so-far step line's corners over the trials `order` (in that order), at x(i), ending at the last trial. */
export function bestSoFar(model: Model, order: readonly number[], x: (i: number) => number): [number, number][] {
  const t = model.data.trials;
  const anyComplete = order.some((i) => model.states[i] === 'complete');
  const data: [number, number][] = [];
  let best = Number.NEGATIVE_INFINITY;
  for (const i of order) {
    if (anyComplete && model.states[i] !== 'complete') continue;
    const v = model.sign * t.value[i]!;
    if (v > best) {
      best = v;
      data.push([x(i), t.value[i]!]);
    }
  }
  const last = order[order.length - 1];
  if (data.length > 0 && last !== undefined) data.push([x(last), model.sign * best]);
  return data;
}

export function lastReport(heartbeat: number | null | undefined, finished: number | null | undefined): number | null {
  const h = heartbeat ?? null;
  const f = finished ?? null;
  return h === null ? f : f === null ? h : Math.min(h, f);
}

function tooltip(model: Model) {
  return (p: unknown): string => {
    const item = p as { seriesName?: string; data?: unknown };
    const d = item.data as Point | undefined;
    if (!Array.isArray(d) || d.length < 3) return item.seriesName ?? '';
    const i = d[2];
    return `trial #${model.data.trials.number[i]} (${model.states[i]})<br>${model.data.study.metric}: ${d[1]}`;
  };
}
