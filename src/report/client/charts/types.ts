import type { EChartsOption } from 'echarts';

/** What a chart builder returns: an option to draw (with how many marks it holds, for the tests), or why there is none. */
export type ChartResult =
  | { readonly kind: 'chart'; readonly option: EChartsOption; readonly points: number; readonly note?: string }
  | { readonly kind: 'empty'; readonly message: string };

export const empty = (message: string): ChartResult => ({ kind: 'empty', message });

/** Above this many marks a series switches to ECharts' large mode (one path, no per-item hover). */
export const LARGE_THRESHOLD = 1000;
