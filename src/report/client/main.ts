/// <reference lib="dom" />
/**
 * The page runtime: boots from `window.__TUNE_REPORT__` or from `<body data-source="URL">`, draws every view, wires
 * parallel-coordinate brushing to the table and the other charts, and exposes `window.tuneReport` (see README.md).
 */
import type * as EChartsNs from 'echarts';
import type { ReportData } from '../data.js';
import { contourOption } from './charts/contour.js';
import { curvesOption } from './charts/curves.js';
import { fidelityOption } from './charts/fidelity.js';
import { historyOption } from './charts/history.js';
import { HistoryBrush } from './charts/history-brush.js';
import { importanceOption } from './charts/importance.js';
import { brushMask, parallelLines, parallelOption, type BrushRanges } from './charts/parallel.js';
import { ParallelLayer } from './charts/parallel-lines.js';
import { slicesOption } from './charts/slices.js';
import { timelineOption } from './charts/timeline.js';
import type { ChartResult } from './charts/types.js';
import { affectedViews, changedFields, HISTORY_DRAWS, type DataField, type ViewName } from './changes.js';
import { applyLiveOps, type DataOp } from './live-ops.js';
import { buildModel, paramsText, type Model } from './model.js';
import { optionDelta, StableFunctions, type Delta } from './option-delta.js';
import { escapeHtml, summaryHtml } from './summary.js';
import { TrialTable } from './table.js';

declare const echarts: typeof EChartsNs;

/** What the last `update` did: which views it redrew, which it left (their data had not changed), and when. */
export interface UpdateStats {
  readonly seq: number;
  readonly redrawn: ViewName[];
  readonly skipped: ViewName[];
  /** Milliseconds each redrawn view took (option build + setOption). */
  readonly views: Partial<Record<ViewName, number>>;
  /** How each redrawn chart reached ECharts: unchanged, only its changed series merged, or a full redraw. */
  readonly deltas: Partial<Record<ViewName, Delta['kind']>>;
  /** From `update()` to the end of its first task (summary, table and the charts in view drawn). */
  shownMs: number;
  /** From `update()` until every affected view was redrawn (0 while some still wait). */
  settledMs: number;
}

export interface TuneReportApi {
  /**
   * Re-renders the views whose data changed (skipped when `data.seq` is unchanged); keeps brush, sort and filters.
   * The summary, the table and the charts in view are redrawn at once, the others one per frame after.
   */
  update(data: ReportData): void;
  /**
   * The dashboard's live path: applies a patch's ops to the current data in place and redraws as `update` does,
   * costing what changed. False (nothing touched) for ops it doesn't track: the caller then uses `update`.
   */
  patch(ops: readonly DataOp[]): boolean;
  data(): ReportData | null;
  /** Resolves after the first full render. */
  readonly ready: Promise<void>;
  /** Milliseconds the last brush took to filter the table and redraw the other charts, in all and per view. */
  lastBrushMs: number;
  readonly lastBrushViews: Record<string, number>;
  /** Milliseconds until every filtered chart had redrawn after the last brush (`<body data-brush-settled>` then set). */
  lastBrushSettledMs: number;
  /** Trial numbers the table shows now, in order (tests read it). */
  tableTrials(): number[];
  /** Milliseconds since navigation start (performance.now()) when the first chart was painted and when all were. */
  readonly timings: { firstChartMs: number; readyMs: number };
  /** How many times each view has been drawn since the page loaded (tests assert an update redraws only some). */
  readonly redraws: Record<ViewName, number>;
  lastUpdate: UpdateStats | null;
}

declare global {
  interface Window {
    __TUNE_REPORT__?: ReportData;
    tuneReport?: TuneReportApi;
  }
}

type ChartView = 'history' | 'curves' | 'parallel' | 'slices' | 'contour' | 'importance' | 'fidelity' | 'timeline';
/** Views redrawn when the brush changes (the parallel chart draws its own brush; importance and rungs are study-wide). */
const FILTERED: readonly ChartView[] = ['history', 'curves', 'slices', 'contour', 'timeline'];
const ORDER: readonly ChartView[] = ['history', 'curves', 'parallel', 'slices', 'contour', 'importance', 'fidelity', 'timeline'];

const builders: Record<ChartView, (m: Model, mask: Uint8Array | null) => ChartResult> = {
  // The history always draws every trial: a brush shows on its overlay (charts/history-brush.ts).
  history: (m) => historyOption(m, null), curves: curvesOption, parallel: (m) => parallelOption(m), slices: slicesOption,
  contour: contourOption, importance: (m) => importanceOption(m), fidelity: (m) => fidelityOption(m),
  timeline: (m, k) => timelineOption(m, k, section('timeline').querySelector<HTMLElement>('.chart')?.clientHeight || undefined),
};

const charts = new Map<ChartView, EChartsNs.ECharts>();
/** The option each chart was last drawn with (after StableFunctions), so an update sends ECharts only the change. */
const applied = new Map<ChartView, Record<string, unknown>>();
const stableFns = new Map<ChartView, StableFunctions>();
/** The last draw's delta kind, per view (read by `update` for its stats). */
const lastDelta = new Map<ChartView, Delta['kind']>();
let model: Model | null = null;
let mask: Uint8Array | null = null;
let ranges = new Map<string, (readonly [number, number])[]>();
let table: TrialTable | null = null;
/** The parallel chart's lines, drawn outside ECharts (charts/parallel-lines.ts). */
let lines: ParallelLayer | null = null;
/** The history chart's brushed trials, drawn over it (charts/history-brush.ts). */
let historyBrush: HistoryBrush | null = null;

function section(view: string): HTMLElement {
  return document.getElementById(`view-${view}`)!;
}

/** `full` replaces the whole option (new data); `series` swaps only the series (a brush: same axes, fewer marks). */
function draw(view: ChartView, mode: 'full' | 'series' = 'full', unchanged = false): void {
  const el = section(view);
  api.redraws[view]++;
  el.dataset.seq = String(model!.data.seq);
  if (unchanged && applied.has(view)) {
    // Its inputs didn't move (HISTORY_DRAWS): the option would be the one the chart holds.
    lastDelta.set(view, 'same');
    return;
  }
  const result = builders[view](model!, mask);
  const chartEl = el.querySelector<HTMLElement>('.chart')!;
  const emptyEl = el.querySelector<HTMLElement>('.empty')!;
  const noteEl = el.querySelector<HTMLElement>('.note')!;
  if (result.kind === 'empty') {
    if (view === 'parallel') {
      lines?.dispose();
      lines = null;
    }
    if (view === 'history') {
      historyBrush?.dispose();
      historyBrush = null;
    }
    charts.get(view)?.dispose();
    charts.delete(view);
    applied.delete(view);
    lastDelta.set(view, 'full');
    chartEl.hidden = true;
    emptyEl.hidden = false;
    emptyEl.textContent = result.message;
    noteEl.textContent = '';
    el.dataset.state = 'empty';
    el.dataset.points = '0';
    return;
  }
  chartEl.hidden = false;
  emptyEl.hidden = true;
  noteEl.textContent = result.note ?? '';
  let chart = charts.get(view);
  if (chart === undefined) {
    chart = echarts.init(chartEl, undefined, { renderer: 'canvas' });
    charts.set(view, chart);
    wire(view, chart);
  }
  let fns = stableFns.get(view);
  if (fns === undefined) stableFns.set(view, (fns = new StableFunctions()));
  const option = fns.apply(result.option as Record<string, unknown>);
  if (mode === 'series') {
    chart.setOption(option as EChartsNs.EChartsOption, { replaceMerge: ['series'] });
    lastDelta.set(view, 'full');
  } else {
    // A live update mostly moves a few points: hand ECharts the changed series only (see option-delta.ts).
    const delta = optionDelta(applied.get(view) ?? null, option);
    if (delta.kind === 'full') chart.setOption(option as EChartsNs.EChartsOption, { notMerge: true });
    else if (delta.kind === 'merge') chart.setOption(delta.option as EChartsNs.EChartsOption);
    lastDelta.set(view, delta.kind);
  }
  applied.set(view, option);
  if (view === 'parallel') (lines ??= new ParallelLayer(chart, chartEl)).setLines(parallelLines(model!), mask);
  el.dataset.state = 'chart';
  el.dataset.points = String(result.points);
  if (view === 'history') {
    (historyBrush ??= new HistoryBrush(chart, chartEl)).setModel(model!, lastDelta.get(view) === 'full');
    brushHistory();
  }
}

/** The brush on the history chart's overlay: `data-points` counts the trials it shows, as a filtered chart's would. */
function brushHistory(): void {
  if (historyBrush === null) return;
  const el = section('history');
  const shown = historyBrush.setMask(mask);
  el.dataset.points = String(shown);
  el.querySelector<HTMLElement>('.note')!.textContent = mask !== null && shown === 0 ? 'No trial with a value is in the brushed selection.' : '';
}

function wire(view: ChartView, chart: EChartsNs.ECharts): void {
  if (view === 'parallel') {
    chart.on('axisareaselected', (e: unknown) => {
      const ev = e as { parallelAxisId?: string; intervals?: [number, number][] };
      if (ev.parallelAxisId === undefined) return;
      ranges.set(ev.parallelAxisId, ev.intervals ?? []);
      scheduleBrush();
    });
  }
  if (view === 'curves') {
    chart.on('click', (e: unknown) => {
      const trial = (e as { data?: { trial?: number } }).data?.trial;
      const detail = section('curves').querySelector<HTMLElement>('.detail')!;
      if (trial === undefined || model === null) return;
      detail.hidden = false;
      detail.textContent = `trial #${model.data.trials.number[trial]} (${model.states[trial]})\n${paramsText(model, trial)}`;
    });
  }
}

/** Runs `f` in a task after the next frame is painted, so each redraw shows before the next one starts. */
const afterPaint = (f: () => void) => requestAnimationFrame(() => setTimeout(f, 0));

let brushFrame = 0;
let brushGeneration = 0;

/** ECharts fires during a drag (realtime axes): coalesce to one filter per animation frame. */
function scheduleBrush(): void {
  cancelAnimationFrame(brushFrame);
  brushFrame = requestAnimationFrame(() => applyBrush());
}

/**
 * The table and the history chart are filtered at once; the other charts follow one per task, so the page answers
 * within a frame and stays responsive while they redraw. A newer brush cancels the rest of an older one.
 */
function applyBrush(): void {
  const start = performance.now();
  const generation = ++brushGeneration;
  mask = brushMask(model!, ranges as BrushRanges);
  let at = performance.now();
  const lap = (name: string) => {
    const t = performance.now();
    api.lastBrushViews[name] = t - at;
    at = t;
  };
  lap('mask');
  lines?.setMask(mask);
  lap('parallel');
  // Both canvases read their size before the table writes to the DOM (a read after a write forces a layout).
  brushHistory();
  lap('history');
  table?.setMask(mask);
  lap('table');
  const rest = FILTERED.filter((v) => v !== 'history');
  const brushed = mask === null ? null : mask.reduce((s, x) => s + x, 0);
  document.body.dataset.brushed = brushed === null ? '' : String(brushed);
  api.lastBrushMs = performance.now() - start;
  delete document.body.dataset.brushSettled;
  const next = (k: number) => {
    if (generation !== brushGeneration) return;
    if (k === rest.length) {
      api.lastBrushSettledMs = performance.now() - start;
      document.body.dataset.brushSettled = String(generation);
      return;
    }
    at = performance.now();
    draw(rest[k]!, 'series');
    lap(rest[k]!);
    afterPaint(() => next(k + 1));
  };
  afterPaint(() => next(0));
}

/** Puts the brush back after the parallel chart was redrawn with new data. */
function restoreBrush(): void {
  const chart = charts.get('parallel');
  if (chart === undefined) return;
  for (const [id, intervals] of ranges) if (intervals.length > 0) chart.dispatchAction({ type: 'axisAreaSelect', parallelAxisId: id, intervals });
}

const nextFrame = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));

/** Charts whose section is on screen (IntersectionObserver): an update draws these first. */
const inView = new Set<string>();
const observer = typeof IntersectionObserver === 'undefined' ? null : new IntersectionObserver((entries) => {
  for (const e of entries) {
    const view = (e.target as HTMLElement).dataset.view!;
    if (e.isIntersecting) inView.add(view);
    else inView.delete(view);
  }
});

function drawSummary(): void {
  api.redraws.summary++;
  section('summary').querySelector<HTMLElement>('.content')!.innerHTML = summaryHtml(model!);
  section('summary').dataset.state = 'chart';
  section('summary').dataset.seq = String(model!.data.seq);
}

function drawTable(): void {
  api.redraws.table++;
  table ??= new TrialTable(section('table').querySelector<HTMLElement>('.content')!);
  table.setModel(model!, mask);
  section('table').dataset.state = 'chart';
  section('table').dataset.seq = String(model!.data.seq);
}

async function firstRender(data: ReportData): Promise<void> {
  model = buildModel(data);
  mask = brushMask(model, ranges);
  document.title = `${data.study.name} · tune report`;
  drawSummary();
  for (const view of ORDER) {
    draw(view);
    await nextFrame(); // paint the first chart before building the rest
    if (api.timings.firstChartMs === 0) api.timings.firstChartMs = performance.now();
  }
  drawTable();
  for (const view of ['summary', ...ORDER, 'table']) observer?.observe(section(view));
}

/** Charts an update still has to redraw (a newer update adds its own and restarts the queue). */
const stale = new Set<ChartView>();
/** Whether the history's inputs moved since it was last drawn by an update (it may wait, stale, off screen). */
let historyMoved = false;
let updateGeneration = 0;

function update(data: ReportData): void {
  if (model === null) return; // before the first render: boot draws whatever data() is then
  if (data.seq === model.data.seq) return;
  const start = performance.now();
  const changed = changedFields(model.data, data);
  redraw(buildModel(data), changed, start);
}

/** A live patch: applied to the data in place, the model updated from the changed rows (live-ops.ts). */
function patch(ops: readonly DataOp[]): boolean {
  if (model === null) return false;
  const start = performance.now();
  const step = applyLiveOps(model, ops);
  if (step === null) return false;
  redraw(step.model, step.changed, start);
  return true;
}

function redraw(nextModel: Model, changed: ReadonlySet<DataField>, start: number): void {
  const data = nextModel.data;
  const generation = ++updateGeneration;
  const brushed = [...ranges.values()].some((r) => r.length > 0);
  const affected = affectedViews(changed, brushed, FILTERED);
  if (HISTORY_DRAWS.some((f) => changed.has(f))) historyMoved = true;
  model = nextModel;
  mask = brushMask(model, ranges);
  document.title = `${data.study.name} · tune report`;
  const stats: UpdateStats = { seq: data.seq, redrawn: [], skipped: [], views: {}, deltas: {}, shownMs: 0, settledMs: 0 };
  api.lastUpdate = stats;
  const timed = (view: ViewName, f: () => void) => {
    const t = performance.now();
    f();
    stats.views[view] = performance.now() - t;
    stats.redrawn.push(view);
  };
  for (const view of ORDER) if (affected.has(view)) stale.add(view);
  const current = (view: ViewName) => {
    stats.skipped.push(view);
    section(view).dataset.seq = String(data.seq);
  };
  if (affected.has('summary')) timed('summary', drawSummary);
  else current('summary');
  if (affected.has('table')) timed('table', drawTable);
  else current('table');
  for (const view of ORDER) if (!stale.has(view)) current(view);
  // On-screen charts first, in page order; then the rest, one per task so the page keeps answering.
  const queue = [...ORDER.filter((v) => stale.has(v) && inView.has(v)), ...ORDER.filter((v) => stale.has(v) && !inView.has(v))];
  const drawOne = (view: ChartView) => {
    stale.delete(view);
    timed(view, () => {
      draw(view, 'full', view === 'history' && !historyMoved);
      if (view === 'history') historyMoved = false;
      // An unchanged chart keeps its brush; after a merge or a full redraw it is put back, as before.
      if (view === 'parallel' && lastDelta.get(view) !== 'same') restoreBrush();
    });
    stats.deltas[view] = lastDelta.get(view);
  };
  while (queue.length > 0 && inView.has(queue[0]!)) drawOne(queue.shift()!);
  stats.shownMs = performance.now() - start;
  const next = () => {
    if (generation !== updateGeneration) return; // a newer update took over the stale charts
    const view = queue.shift();
    if (view === undefined) {
      stats.settledMs = performance.now() - start;
      document.body.dataset.renderedSeq = String(data.seq);
      return;
    }
    drawOne(view);
    afterPaint(next);
  };
  if (queue.length === 0) next();
  else afterPaint(next);
}

let resolveReady: () => void = () => {};
const api: TuneReportApi = {
  update,
  patch,
  data: () => model?.data ?? null,
  ready: new Promise<void>((r) => (resolveReady = r)),
  lastBrushMs: 0,
  lastBrushViews: {},
  lastBrushSettledMs: 0,
  tableTrials: () => (table?.shownRows() ?? []).map((i) => model!.data.trials.number[i]!),
  timings: { firstChartMs: 0, readyMs: 0 },
  redraws: { summary: 0, history: 0, curves: 0, parallel: 0, slices: 0, contour: 0, importance: 0, fidelity: 0, timeline: 0, table: 0 },
  lastUpdate: null,
};
window.tuneReport = api;

async function boot(): Promise<void> {
  const source = document.body.dataset.source;
  const data = window.__TUNE_REPORT__ ?? (source ? ((await (await fetch(source)).json()) as ReportData) : undefined);
  if (data === undefined) throw new Error('no report data: neither window.__TUNE_REPORT__ nor <body data-source>');
  await firstRender(data);
  document.body.dataset.renderedSeq = String(data.seq);
  window.addEventListener('resize', () => charts.forEach((c) => c.resize()));
  document.body.dataset.ready = 'true';
  api.timings.readyMs = performance.now();
  resolveReady();
}

boot().catch((e: unknown) => {
  const msg = e instanceof Error ? e.message : String(e);
  document.body.insertAdjacentHTML('afterbegin', `<p class="boot-error">The report could not load: ${escapeHtml(msg)}</p>`);
  console.error(e);
});
