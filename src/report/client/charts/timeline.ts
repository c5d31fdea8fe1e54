/**
 * Worker timeline: each trial as a bar over wall time, one lane per concurrent slot of each tuner process, so idle
 * gaps show. Storage records the process (`host:pid`), not the pool thread, so lanes are assigned greedily: a trial
 * takes the lowest lane of its process that is free when it starts (interval partitioning; optimal lane count).
 */
import type { EChartsOption } from 'echarts';
import { STATE_COLORS, type Model } from '../model.js';
import { empty, type ChartResult } from './types.js';

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

export function timelineOption(model: Model, mask: Uint8Array | null): ChartResult {
  const { bars, lanes } = timelineBars(model, mask);
  if (bars.length === 0) return empty(mask === null ? 'No trial has started yet: the timeline appears once workers pick trials up.' : 'No started trial is in the brushed selection.');
  const data = bars.map((b) => ({ value: [b.lane, b.start / 1000, b.end / 1000, b.trial], itemStyle: { color: STATE_COLORS[model.states[b.trial]!] ?? '#888' } }));
  const option = {
    animation: false,
    tooltip: { trigger: 'item', formatter: (p: unknown) => {
      const v = (p as { value?: number[] }).value ?? [];
      return `trial #${model.data.trials.number[v[3]!]} (${model.states[v[3]!]})<br>${v[1]!.toFixed(1)} s → ${v[2]!.toFixed(1)} s`;
    } },
    grid: { left: 170, right: 30, top: 20, bottom: 50 },
    xAxis: { type: 'value', name: 'wall time (s)', nameLocation: 'middle', nameGap: 28, min: 0 },
    yAxis: { type: 'category', data: lanes, inverse: true },
    dataZoom: [{ type: 'inside', xAxisIndex: 0 }],
    series: [{
      type: 'custom', id: 'timeline', data, encode: { x: [1, 2], y: 0 }, progressive: 5000,
      renderItem: (params: unknown, api: unknown) => {
        const a = api as { value: (d: number) => number; coord: (p: [number, number]) => [number, number]; size: (p: [number, number]) => [number, number]; style: () => Record<string, unknown> };
        const lane = a.value(0);
        const s = a.coord([a.value(1), lane]);
        const e = a.coord([a.value(2), lane]);
        const h = a.size([0, 1])[1] * 0.7;
        return { type: 'rect', shape: { x: s[0], y: s[1] - h / 2, width: Math.max(1, e[0] - s[0]), height: h }, style: a.style() };
      },
    }],
  } as EChartsOption;
  return { kind: 'chart', option, points: bars.length };
}
