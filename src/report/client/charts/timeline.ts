/**
 * Worker timeline: each trial as a bar over wall time, one lane per concurrent slot of each tuner process, so idle
 * gaps show. Storage records the process (`host:pid`), not the pool thread, so lanes are assigned greedily: a trial
 * takes the lowest lane of its process that is free when it starts (interval partitioning; optimal lane count).
 */
import type { EChartsOption } from 'echarts';
import { STATE_COLORS, type Model } from '../model.js';
import { empty, LARGE_THRESHOLD, type ChartResult } from './types.js';

export interface Bar {
  readonly trial: number;
  readonly lane: number;
  readonly start: number;
  readonly end: number;
}

export function timelineBars(model: Model, mask: Uint8Array | null): { bars: Bar[]; lanes: string[] } {
  const t = model.data.trials;
  const byWorker = new Map<number, number[]>();
  for (let i = 0; i < model.n; i++) {
    const w = t.worker[i];
    if (w === null || w === undefined || t.started[i] === null || (mask !== null && mask[i] !== 1)) continue;
    let list = byWorker.get(w);
    if (list === undefined) byWorker.set(w, (list = []));
    list.push(i);
  }
  const bars: Bar[] = [];
  const lanes: string[] = [];
  for (const [w, list] of [...byWorker].sort((a, b) => a[0] - b[0])) {
    list.sort((a, b) => t.started[a]! - t.started[b]!);
    const freeAt: number[] = [];
    const first = lanes.length;
    for (const i of list) {
      const start = t.started[i]!;
      // Storage keeps no per-epoch times: a bar ends at the trial's last state change, so a multi-fidelity trial's
      // bar includes the time it sat paused between rungs.
      const last = Math.min(t.finished[i] ?? Infinity, t.heartbeat[i] ?? Infinity);
      const end = Number.isFinite(last) ? Math.max(start, last) : start;
      let lane = freeAt.findIndex((f) => f <= start);
      if (lane < 0) lane = freeAt.push(end) - 1;
      else freeAt[lane] = end;
      bars.push({ trial: i, lane: first + lane, start, end });
    }
    for (let l = 0; l < freeAt.length; l++) lanes.push(`${model.data.workers[w]} · ${l + 1}`);
  }
  return { bars, lanes };
}

/**
 * The time axis's end: the last bar's end rounded up to two significant digits, so a live study's growing bars
 * move the axis (and so every bar on it) only every 1-10 % of the wall time, not at every heartbeat.
 */
export function axisEnd(seconds: number): number {
  if (!(seconds > 0)) return 1;
  const step = 10 ** (Math.floor(Math.log10(seconds)) - 1);
  return Number((Math.ceil(seconds / step) * step).toPrecision(12));
}

/** The timeline chart's height in pixels (style.ts `.chart-timeline`) and the part of it the grid leaves to lanes. */
export const TIMELINE_HEIGHT_PX = 360;
const GRID_TOP = 20;
const GRID_BOTTOM = 50;

/**
 * Bars are drawn as thick horizontal line segments, one `lines` series per state, in ECharts' large mode above
 * LARGE_THRESHOLD bars: one canvas path per state instead of one element per bar (a `custom` series with a
 * `renderItem` per bar cost about a second and a half per redraw at 5,000 trials). `heightPx` is the chart's
 * height, from which the lane's pixel height and so the line width follow.
 */
export function timelineOption(model: Model, mask: Uint8Array | null, heightPx = TIMELINE_HEIGHT_PX): ChartResult {
  const { bars, lanes } = timelineBars(model, mask);
  if (bars.length === 0) return empty(mask === null ? 'No trial has started yet: the timeline appears once workers pick trials up.' : 'No started trial is in the brushed selection.');
  let maxEnd = 0;
  for (const b of bars) maxEnd = Math.max(maxEnd, b.end);
  // A line of length zero draws nothing: give every bar at least a thousandth of the axis (a pixel or so).
  const minLength = Math.max(maxEnd / 1000, 1e-3) / 1000;
  const byState = new Map<string, { coords: [[number, number], [number, number]]; trial: number }[]>();
  for (const b of bars) {
    const state = model.states[b.trial]!;
    let list = byState.get(state);
    if (list === undefined) byState.set(state, (list = []));
    const start = b.start / 1000;
    list.push({ coords: [[start, b.lane], [Math.max(b.end / 1000, start + minLength), b.lane]], trial: b.trial });
  }
  const width = Math.max(1, Math.min(18, (0.7 * (heightPx - GRID_TOP - GRID_BOTTOM)) / Math.max(1, lanes.length)));
  const states = [...byState.keys()];
  const option = {
    animation: false,
    tooltip: { trigger: 'item', formatter: (p: unknown) => {
      const { seriesIndex, dataIndex } = p as { seriesIndex?: number; dataIndex?: number };
      const item = byState.get(states[seriesIndex ?? -1] ?? '')?.[dataIndex ?? -1];
      if (item === undefined) return '';
      return `trial #${model.data.trials.number[item.trial]} (${model.states[item.trial]})<br>${item.coords[0][0].toFixed(1)} s → ${item.coords[1][0].toFixed(1)} s`;
    } },
    grid: { left: 170, right: 30, top: GRID_TOP, bottom: GRID_BOTTOM },
    xAxis: { type: 'value', name: 'wall time (s)', nameLocation: 'middle', nameGap: 28, min: 0, max: axisEnd(maxEnd / 1000) },
    yAxis: { type: 'category', data: lanes, inverse: true },
    dataZoom: [{ type: 'inside', xAxisIndex: 0 }],
    series: states.map((state) => ({
      type: 'lines', id: `timeline-${state}`, name: state, coordinateSystem: 'cartesian2d', data: byState.get(state)!,
      large: byState.get(state)!.length > LARGE_THRESHOLD, largeThreshold: LARGE_THRESHOLD,
      lineStyle: { color: STATE_COLORS[state] ?? '#888', width, opacity: 1, cap: 'butt' },
    })),
  } as EChartsOption;
  return { kind: 'chart', option, points: bars.length };
}
