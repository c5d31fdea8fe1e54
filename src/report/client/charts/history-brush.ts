/// <reference lib="dom" />
/**
 * The optimisation history's answer to a brush, on a canvas of our own over the ECharts chart (issue 12 §3: a brush
 * of 10,000 lines in ≤ 150 ms). ECharts keeps drawing every trial and is not touched by a brush: re-setting its
 * series took a median 109 ms per brush on a quiet machine, 250–410 ms loaded. Under a brush this canvas veils both
 * plots and draws the brushed trials over them in their state's colour, with their own best-so-far line, on the
 * chart's axes (read from ECharts, so a zoom or a resize moves them too). The unbrushed trials stay visible, faint,
 * as in the parallel chart. Points are stamped into the canvas' pixels (a small disc each), not stroked.
 */
import type * as EChartsNs from 'echarts';
import { STATE_COLORS, type Model } from '../model.js';
import { bestSoFar, historyUnit, lastReport, valueTime } from './history.js';
import { cssPixelWord, pixelWord } from './line-raster.js';

interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The parts of ECharts' grid model (echarts/lib/coord/cartesian/Grid.js) this layer reads. */
type GridModel = { coordinateSystem?: { getRect(): Rect } };

/** Per trial: x on the wall-time plot (NaN: none), x of its best-so-far step (its last report), and the trials with one, by it. */
interface Points {
  readonly time: Float64Array;
  readonly reported: Float64Array;
  readonly byReport: Int32Array;
}

/** Over the unbrushed trials: white at this alpha leaves them at about a quarter of their colour. */
const VEIL = pixelWord(255, 255, 255, 190);
/** ECharts' symbolSize (5 px across) of the history's points. */
const RADIUS = 2.5;

export class HistoryBrush {
  private readonly canvas: HTMLCanvasElement;
  private readonly observer: ResizeObserver | null;
  private model: Model | null = null;
  private mask: Uint8Array | null = null;
  /** The legend's hidden series (state names, 'best so far'), as ECharts reports them. */
  private hidden = new Set<string>();
  private pixels: ImageData | null = null;
  private points: Points | null = null;
  private disc: { readonly scale: number; readonly offsets: readonly (readonly [number, number])[] } | null = null;

  constructor(private readonly chart: EChartsNs.ECharts, host: HTMLElement) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'history-brush';
    this.canvas.style.cssText = 'position:absolute;left:0;top:0;pointer-events:none;z-index:1;visibility:hidden';
    host.style.position = 'relative';
    // After ECharts' own element, so the chart's canvas stays the section's first (what `section canvas` finds).
    host.append(this.canvas);
    this.observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => {
      this.draw();
    });
    this.observer?.observe(host);
    chart.on('datazoom', () => {
      requestAnimationFrame(() => this.draw());
    });
    chart.on('legendselectchanged', (e: unknown) => {
      const selected = (e as { selected?: Record<string, boolean> }).selected ?? {};
      this.hidden = new Set(Object.keys(selected).filter((k) => selected[k] === false));
      this.draw();
    });
  }

  /** New data: the chart was just drawn with every trial. A full redraw resets ECharts' legend, so ours too. */
  setModel(model: Model, legendReset: boolean): void {
    this.model = model;
    if (legendReset) this.hidden.clear();
    this.points = null;
  }

  /** Each trial's place on both plots, worked out once per data (a brush only picks among them). */
  private pointsOf(model: Model): Points {
    if (this.points !== null) return this.points;
    const t = model.data.trials;
    const unit = historyUnit(model);
    const time = new Float64Array(model.n);
    const reported = new Float64Array(model.n);
    for (let i = 0; i < model.n; i++) {
      time[i] = (valueTime(model, i) ?? Number.NaN) / unit.ms;
      reported[i] = (lastReport(t.heartbeat[i], t.finished[i]) ?? Number.NaN) / unit.ms;
    }
    const byReport: number[] = [];
    for (let i = 0; i < model.n; i++) if (!Number.isNaN(reported[i]!)) byReport.push(i);
    byReport.sort((a, b) => reported[a]! - reported[b]!);
    this.points = { time, reported, byReport: Int32Array.from(byReport) };
    return this.points;
  }

  /** Shows the trials of `mask` (null: none brushed, the canvas hides); returns how many trials with a value it shows. */
  setMask(mask: Uint8Array | null): number {
    this.mask = mask;
    return this.draw();
  }

  dispose(): void {
    this.observer?.disconnect();
    this.canvas.remove();
  }

  /** Grid g's plot rectangle and its linear mapping: pixel x = ax + bx · x, y = ay + by · y (CSS pixels). */
  private grid(g: number): { rect: Rect; ax: number; ay: number; bx: number; by: number } | null {
    const internal = this.chart as unknown as { getModel?: () => { getComponent(type: string, i: number): GridModel | undefined } };
    const rect = internal.getModel?.().getComponent('grid', g)?.coordinateSystem?.getRect();
    const finder = { gridIndex: g };
    const p0 = this.chart.convertToPixel(finder, [0, 0]) as number[] | undefined;
    const p1 = this.chart.convertToPixel(finder, [1, 1]) as number[] | undefined;
    if (rect === undefined || !Array.isArray(p0) || !Array.isArray(p1)) return null;
    // Both axes are linear value axes: two points give the whole mapping.
    return { rect, ax: p0[0]!, ay: p0[1]!, bx: p1[0]! - p0[0]!, by: p1[1]! - p0[1]! };
  }

  private offsets(dpr: number): readonly (readonly [number, number])[] {
    if (this.disc?.scale === dpr) return this.disc.offsets;
    const r = RADIUS * dpr;
    const reach = Math.ceil(r);
    const offsets: [number, number][] = [];
    for (let dy = -reach; dy <= reach; dy++) for (let dx = -reach; dx <= reach; dx++) if (dx * dx + dy * dy <= r * r) offsets.push([dx, dy]);
    this.disc = { scale: dpr, offsets };
    return offsets;
  }

  private draw(): number {
    const model = this.model;
    const mask = this.mask;
    const host = this.canvas.parentElement;
    if (model === null || host === null) return 0;
    if (mask === null) {
      this.canvas.style.visibility = 'hidden';
      return model.withValue;
    }
    const t = model.data.trials;
    const dpr = window.devicePixelRatio || 1;
    const width = Math.round(host.clientWidth * dpr);
    const height = Math.round(host.clientHeight * dpr);
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
      this.canvas.style.width = `${host.clientWidth}px`;
      this.canvas.style.height = `${host.clientHeight}px`;
    }
    if (this.pixels?.width !== width || this.pixels.height !== height) this.pixels = new ImageData(width, height);
    const px = new Uint32Array(this.pixels.data.buffer);
    px.fill(0);
    const grids = [this.grid(0), this.grid(1)] as const;
    const boxes = grids.map((g) => {
      if (g === null) return null;
      const box = { x0: Math.round(g.rect.x * dpr), y0: Math.round(g.rect.y * dpr), x1: Math.round((g.rect.x + g.rect.width) * dpr), y1: Math.round((g.rect.y + g.rect.height) * dpr) };
      for (let y = Math.max(0, box.y0); y < Math.min(height, box.y1); y++) px.fill(VEIL, y * width + Math.max(0, box.x0), y * width + Math.min(width, box.x1));
      return box;
    });
    const offsets = this.offsets(dpr);
    const reach = Math.ceil(RADIUS * dpr);
    // A disc's pixels as index steps from its centre; centres nearer the canvas edge than `reach` are checked per pixel.
    const steps = Int32Array.from(offsets, ([dx, dy]) => dy * width + dx);
    const words = new Map<string, number>();
    const stamp = (g: 0 | 1, x: number, y: number, word: number) => {
      const grid = grids[g]!;
      const box = boxes[g]!;
      const cx = Math.round((grid.ax + grid.bx * x) * dpr);
      const cy = Math.round((grid.ay + grid.by * y) * dpr);
      if (cx < box.x0 || cx >= box.x1 || cy < box.y0 || cy >= box.y1) return; // zoomed out of view
      const centre = cy * width + cx;
      if (cx >= reach && cx < width - reach && cy >= reach && cy < height - reach) {
        for (let k = 0; k < steps.length; k++) px[centre + steps[k]!] = word;
        return;
      }
      for (const [dx, dy] of offsets) {
        const x1 = cx + dx;
        const y1 = cy + dy;
        if (x1 >= 0 && x1 < width && y1 >= 0 && y1 < height) px[y1 * width + x1] = word;
      }
    };
    const { time, reported, byReport } = this.pointsOf(model);
    const order: number[] = [];
    for (let i = 0; i < model.n; i++) {
      const v = t.value[i];
      if (mask[i] !== 1 || v === null || v === undefined) continue;
      order.push(i);
      const state = model.states[i]!;
      if (this.hidden.has(state)) continue;
      let word = words.get(state);
      if (word === undefined) words.set(state, (word = cssPixelWord(STATE_COLORS[state] ?? '#888888')));
      if (grids[0] !== null) stamp(0, t.number[i]!, v, word);
      const at = time[i]!;
      if (grids[1] !== null && !Number.isNaN(at)) stamp(1, at, v, word);
    }
    const ctx = this.canvas.getContext('2d')!;
    ctx.putImageData(this.pixels, 0, 0);
    if (!this.hidden.has('best so far')) {
      const timed: number[] = [];
      for (const i of byReport) if (mask[i] === 1 && t.value[i] !== null) timed.push(i);
      this.bestLine(ctx, dpr, grids[0], bestSoFar(model, order, (i) => t.number[i]!));
      this.bestLine(ctx, dpr, grids[1], bestSoFar(model, timed, (i) => reported[i]!));
    }
    this.canvas.style.visibility = 'visible';
    return order.length;
  }

  /** The brushed trials' best so far, as the chart's own line: a step at each new best ('end' steps), clipped to the grid. */
  private bestLine(ctx: CanvasRenderingContext2D, dpr: number, grid: ReturnType<HistoryBrush['grid']>, data: readonly [number, number][]): void {
    if (grid === null || data.length === 0) return;
    ctx.save();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.beginPath();
    ctx.rect(grid.rect.x, grid.rect.y, grid.rect.width, grid.rect.height);
    ctx.clip();
    ctx.beginPath();
    let prevY = 0;
    data.forEach(([x, y], k) => {
      const px = grid.ax + grid.bx * x;
      const py = grid.ay + grid.by * y;
      if (k === 0) ctx.moveTo(px, py);
      else {
        ctx.lineTo(px, prevY);
        ctx.lineTo(px, py);
      }
      prevY = py;
    });
    ctx.strokeStyle = '#222';
    ctx.lineWidth = 2;
    ctx.stroke();
    ctx.restore();
  }
}
