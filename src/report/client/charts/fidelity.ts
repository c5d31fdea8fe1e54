/**
 * The multi-fidelity view (SHA, Hyperband, ASHA, BOHB): one bar per rung (per bracket for Hyperband and BOHB) with
 * the trials that reached it, split into promoted past it, pruned at it, finished at it, and still there.
 */
import type { EChartsOption, SeriesOption } from 'echarts';
import { STATE_COLORS, type Model } from '../model.js';
import { empty, type ChartResult } from './types.js';

export const OUTCOMES = ['promoted', 'pruned', 'complete', 'failed', 'in progress'] as const;
export type RungOutcome = (typeof OUTCOMES)[number];

export interface RungRow {
  readonly bracket: number | null;
  readonly rung: number;
  /** Epoch budget of the rung. */
  readonly budget: number;
  readonly reached: number;
  readonly counts: Readonly<Record<RungOutcome, number>>;
}

/** What became of each trial at each rung it reached: promoted past every rung below its own; decided by its state at its own. */
export function rungRows(model: Model): RungRow[] {
  const t = model.data.trials;
  const f = model.data.fidelity;
  const rows = new Map<string, { bracket: number | null; rung: number; budget: number; counts: Record<RungOutcome, number> }>();
  const budgetOf = (bracket: number | null, rung: number, fallback: number) =>
    (bracket !== null ? f?.brackets?.[bracket]?.[rung] : f?.budgets[rung]) ?? fallback;
  for (let i = 0; i < model.n; i++) {
    const top = t.rung[i];
    if (top === null || top === undefined) continue;
    const bracket = f?.brackets === null || f?.brackets === undefined ? null : (t.bracket[i] ?? null);
    for (let k = 0; k <= top; k++) {
      const key = `${bracket ?? ''}/${k}`;
      let row = rows.get(key);
      if (row === undefined) {
        row = { bracket, rung: k, budget: budgetOf(bracket, k, k === top ? t.budget[i]! : 0), counts: { promoted: 0, pruned: 0, complete: 0, failed: 0, 'in progress': 0 } };
        rows.set(key, row);
      }
      if (k < top) row.counts.promoted++;
      else {
        const s = model.states[i]!;
        row.counts[s === 'pruned' || s === 'complete' || s === 'failed' ? s : 'in progress']++;
      }
    }
  }
  return [...rows.values()]
    .map((r) => ({ ...r, reached: OUTCOMES.reduce((s, o) => s + r.counts[o], 0) }))
    .sort((a, b) => (a.bracket ?? 0) - (b.bracket ?? 0) || a.rung - b.rung);
}

const COLORS: Record<RungOutcome, string> = {
  promoted: STATE_COLORS.paused!, pruned: STATE_COLORS.pruned!, complete: STATE_COLORS.complete!, failed: STATE_COLORS.failed!, 'in progress': STATE_COLORS.waiting!,
};

export function fidelityOption(model: Model): ChartResult {
  if (model.data.fidelity === null) return empty(`Not a multi-fidelity study: ${model.data.study.strategy} trains every trial to its full budget.`);
  const rows = rungRows(model);
  if (rows.length === 0) return empty('No trial has entered a rung yet.');
  const labels = rows.map((r) => `${r.bracket === null ? '' : `bracket ${r.bracket} · `}rung ${r.rung} (${r.budget} ep)`);
  const series: SeriesOption[] = OUTCOMES.map((o) => ({
    type: 'bar', id: `rung-${o}`, name: o, stack: 'rung', data: rows.map((r) => r.counts[o]), itemStyle: { color: COLORS[o] },
    emphasis: { focus: 'series' },
  }));
  const option: EChartsOption = {
    animation: false,
    legend: { top: 0 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 190, right: 30, top: 40, bottom: 40 },
    xAxis: { type: 'value', name: 'trials', nameLocation: 'middle', nameGap: 26 },
    yAxis: { type: 'category', data: labels, inverse: true },
    series,
  };
  return { kind: 'chart', option, points: rows.length };
}
