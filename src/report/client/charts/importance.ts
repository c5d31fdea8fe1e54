/** Parameter importance: one horizontal bar per param, one series per estimator (PED-ANOVA and the second one) side by side. */
import type { EChartsOption, SeriesOption } from 'echarts';
import type { Model } from '../model.js';
import { empty, type ChartResult } from './types.js';

const COLORS = ['#2f7ed8', '#f28f43', '#8bbc21', '#910000'];

export function importanceOption(model: Model): ChartResult {
  const imp = model.data.importance;
  if (imp === null) return empty('Parameter importance was not computed for this report.');
  if (imp.estimates.length === 0) return empty(imp.note ?? 'Not enough finished trials to estimate parameter importance.');
  const names = model.data.params.map((p) => p.name).filter((n) => imp.estimates.some((e) => n in e.importances));
  // Least important at the bottom of the category axis, i.e. first: ECharts draws category 0 lowest.
  const mean = (n: string) => imp.estimates.reduce((s, e) => s + (e.importances[n] ?? 0), 0) / imp.estimates.length;
  names.sort((a, b) => mean(a) - mean(b));
  const series: SeriesOption[] = imp.estimates.map((e, k) => ({
    type: 'bar', id: `imp-${e.method}`, name: e.label, data: names.map((n) => e.importances[n] ?? 0),
    itemStyle: { color: COLORS[k % COLORS.length] }, label: { show: true, position: 'right', formatter: (p: unknown) => `${((p as { value: number }).value * 100).toFixed(1)}%` },
  }));
  const option: EChartsOption = {
    animation: false,
    legend: { top: 0 },
    tooltip: { trigger: 'axis' },
    grid: { left: 120, right: 60, top: 40, bottom: 30 },
    xAxis: { type: 'value', max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
    yAxis: { type: 'category', data: names },
    series,
  };
  return { kind: 'chart', option, points: names.length * imp.estimates.length, note: `From ${imp.trials.toLocaleString('en')} finished trials.${imp.note ? ` ${imp.note}` : ''}` };
}
