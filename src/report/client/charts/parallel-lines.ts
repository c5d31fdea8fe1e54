/// <reference lib="dom" />
/**
 * The parallel chart's lines on a canvas of our own, under ECharts' axes, brush and legend (issue 12 §3: brushing
 * 10,000 lines in ≤ 150 ms). Each line's pixel heights are worked out once per data or size change, through the
 * ECharts parallel coordinate system itself (so log, category and value axes place a point exactly where the axis
 * shows it). Two canvases: every line faded, drawn once per layout and shown only while something is brushed, and
 * over it the lines in colour (all of them at low opacity when nothing is brushed, else those inside the brush),
 * one path per colour bucket. A brush re-strokes only the coloured lines: the browser's rasterising of the lines is
 * most of a brush's cost (about 25 ms per 1,000 lines on a loaded 2-core machine), so it is not spent twice.
 * The coloured canvas carries `data-lines` (lines in the chart) and `data-selected` (lines drawn in colour).
 */
import type * as EChartsNs from 'echarts';
import { countSegment, countsToWords, coverageWords, cssPixelWord, rasterSegment } from './line-raster.js';
import type { ParallelLines } from './parallel.js';

/** The part of ECharts' parallel coordinate system (echarts/lib/coord/parallel/Parallel.js) this layer reads. */
interface ParallelCoordSys {
  readonly dimensions: readonly string[];
  dataToPoint(value: number, dim: string): number[];
  getRect(): { x: number; y: number; width: number; height: number };
}

/**
 * Lines drawn per task when the page draws without a brush (first render, new data, resize): above this the rest
 * follow one chunk per frame, as ECharts' progressive mode did, so 100,000 lines don't block the page for seconds.
 * A brush draws its lines at once: that is the response it waits for.
 */
const CHUNK_LINES = 10_000;

/**
 * From this many brushed lines up, the page rasterises them itself (rasterBrushed); below, the browser's
 * anti-aliased strokes look better and cost under ~30 ms.
 */
const RASTER_MIN_LINES = 2000;

/** Runs `f` in a task after the next frame is painted. */
const afterPaint = (f: () => void) => requestAnimationFrame(() => setTimeout(f, 0));
/** Runs `f` when the page is idle (after its first render and the coloured lines), else after the next paint. */
const whenIdle = (f: () => void) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(() => f()) : afterPaint(f));

/**
 * Lines outside the brush: ECharts' `inactiveOpacity` was 0.02 on the same colours; grey at 0.06 a line reads the
 * same. Counted per pixel and turned into coverage (line-raster.ts), as the browser's compositing of the same strokes.
 */
const FADED_WORDS = coverageWords(120, 130, 150, 0.06);

function coordSys(chart: EChartsNs.ECharts): ParallelCoordSys {
  const internal = chart as unknown as { getModel?: () => { getComponent(type: string, i: number): { coordinateSystem?: ParallelCoordSys } | undefined } };
  const sys = internal.getModel?.().getComponent('parallel', 0)?.coordinateSystem;
  if (sys === undefined || typeof sys.dataToPoint !== 'function') {
    throw new Error('tune report: this ECharts build has no parallel coordinate system to place the lines on');
  }
  return sys;
}

export class ParallelLayer {
  private readonly canvas: HTMLCanvasElement;
  private readonly faded: HTMLCanvasElement;
  private readonly observer: ResizeObserver | null;
  private lines: ParallelLines | null = null;
  private mask: Uint8Array | null = null;
  /** Axis x positions and, per line, its y on each axis (row-major: line r, axis a at r * axes + a); NaN: no point. */
  private xs = new Float64Array(0);
  private ys = new Float32Array(0);
  private layoutKey = '';
  /** The faded canvas doesn't show the current layout yet; a deferred task (fadedGeneration) will draw it. */
  private fadedStale = false;
  private fadedGeneration = 0;
  private drawGeneration = 0;
  /** The brushed lines' pixels, reused from brush to brush (see rasterBrushed), and the buckets' colours as pixel words. */
  private pixels: ImageData | null = null;
  /** The faded canvas' lines per pixel, and its pixels (see strokeFaded). */
  private fadedCounts: Uint32Array | null = null;
  private fadedPixels: ImageData | null = null;
  private words: number[] = [];

  constructor(private readonly chart: EChartsNs.ECharts, host: HTMLElement) {
    const canvas = (name: string) => {
      const c = document.createElement('canvas');
      c.className = name;
      c.style.cssText = 'position:absolute;left:0;top:0;pointer-events:none';
      return c;
    };
    this.faded = canvas('parallel-faded');
    this.canvas = canvas('parallel-lines');
    this.faded.style.visibility = 'hidden';
    // Under ECharts' own (transparent) canvas, faded under coloured: negative z-indexes inside the chart's box, which
    // is made a stacking context. The coloured canvas comes first in the box (what `section canvas` finds).
    this.faded.style.zIndex = '-2';
    this.canvas.style.zIndex = '-1';
    host.style.position = 'relative';
    host.style.zIndex = '0';
    host.prepend(this.canvas, this.faded);
    this.observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => this.draw());
    this.observer?.observe(host);
  }

  /** New data (the chart's option was just set, so ECharts' axes are laid out for it). */
  setLines(lines: ParallelLines | null, mask: Uint8Array | null): void {
    this.lines = lines;
    this.words = lines?.colours.map(cssPixelWord) ?? [];
    this.mask = mask;
    this.layoutKey = '';
    this.draw();
  }

  /** A new brush: the same geometry, other lines highlighted. */
  setMask(mask: Uint8Array | null): void {
    this.mask = mask;
    this.draw();
  }

  dispose(): void {
    this.observer?.disconnect();
    this.canvas.remove();
    this.faded.remove();
  }

  /**
   * Pixel positions of every line's points, when the data or the axes' layout changed since the last time; then the
   * faded canvas is redrawn. False when nothing changed.
   */
  private layout(lines: ParallelLines, width: number, height: number): boolean {
    const sys = coordSys(this.chart);
    const rect = sys.getRect();
    const key = `${rect.x},${rect.y},${rect.width},${rect.height},${width},${height}`;
    if (key === this.layoutKey) return false;
    this.layoutKey = key;
    const axes = lines.columns.length;
    const n = lines.rows.length;
    this.xs = new Float64Array(axes);
    this.ys = new Float32Array(n * axes);
    for (let a = 0; a < axes; a++) {
      const dim = sys.dimensions[a]!;
      const col = lines.columns[a]!;
      for (let r = 0; r < n; r++) {
        const v = col[r]!;
        if (Number.isNaN(v)) {
          this.ys[r * axes + a] = Number.NaN;
          continue;
        }
        const p = sys.dataToPoint(v, dim);
        this.xs[a] = p[0]!;
        this.ys[r * axes + a] = p[1]!;
      }
    }
    return true;
  }

  /** `canvas` sized to the chart's box (device pixels), cleared, its context scaled to CSS pixels. */
  private prepare(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
    }
    const ctx = canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.lineWidth = 1;
    return ctx;
  }

  /** Line r (in `rows`' order) as moveTo/lineTo calls on `to` (a Path2D or the context). */
  private trace(r: number, axes: number, to: Path2D | CanvasRenderingContext2D): void {
    let pen = false;
    for (let a = 0; a < axes; a++) {
      const y = this.ys[r * axes + a]!;
      // A trial without this param (a conditional space) breaks its line there.
      if (Number.isNaN(y)) pen = false;
      else if (pen) to.lineTo(this.xs[a]!, y);
      else {
        to.moveTo(this.xs[a]!, y);
        pen = true;
      }
    }
  }

  /**
   * Lines `from` … `to - 1`, faint: counted into the faded canvas' per-pixel line counts (from 0: new counts), then
   * the canvas shows every line counted so far. Put as pixels, so nothing is left to rasterise in a brush's frame.
   */
  private strokeFaded(ctx: CanvasRenderingContext2D, lines: ParallelLines, from: number, to: number): void {
    const { width, height } = this.faded;
    if (from === 0 || this.fadedPixels?.width !== width || this.fadedPixels.height !== height) {
      this.fadedCounts = new Uint32Array(width * height);
      this.fadedPixels = ctx.createImageData(width, height);
    }
    const counts = this.fadedCounts!;
    const dpr = window.devicePixelRatio || 1;
    const axes = lines.columns.length;
    const xs = this.xs.map((x) => x * dpr);
    const ys = this.ys;
    for (let r = from; r < to; r++) {
      for (let a = 0; a + 1 < axes; a++) {
        const y0 = ys[r * axes + a]!;
        const y1 = ys[r * axes + a + 1]!;
        if (!Number.isNaN(y0) && !Number.isNaN(y1)) countSegment(counts, width, height, xs[a]!, y0 * dpr, xs[a + 1]!, y1 * dpr);
      }
    }
    countsToWords(counts, FADED_WORDS, new Uint32Array(this.fadedPixels.data.buffer));
    ctx.putImageData(this.fadedPixels, 0, 0);
  }

  /** Every line, faint, on the lower canvas (shown only under a brush), now: a brush came before the deferred draw. */
  private drawFaded(width: number, height: number): void {
    const lines = this.lines;
    if (lines === null || !this.fadedStale) return;
    this.fadedGeneration++; // cancels the deferred chunks
    this.fadedStale = false;
    this.strokeFaded(this.prepare(this.faded, width, height), lines, 0, lines.rows.length);
  }

  /** The faded canvas in idle tasks, CHUNK_LINES a task: the page's render doesn't wait for it. */
  private scheduleFaded(width: number, height: number): void {
    const lines = this.lines!;
    const generation = ++this.fadedGeneration;
    let ctx: CanvasRenderingContext2D | null = null;
    const step = (start: number) => {
      if (generation !== this.fadedGeneration) return;
      ctx ??= this.prepare(this.faded, width, height);
      const end = Math.min(lines.rows.length, start + CHUNK_LINES);
      this.strokeFaded(ctx, lines, start, end);
      if (end < lines.rows.length) whenIdle(() => step(end));
      else this.fadedStale = false;
    };
    whenIdle(() => step(0));
  }

  /** Every line in its bucket's colour, faint, one stroke each (so overlaps add up and density shows, as in ECharts). */
  private strokeAll(ctx: CanvasRenderingContext2D, lines: ParallelLines, start: number, end: number): void {
    const bs = lines.bucketStart;
    ctx.globalAlpha = lines.opacity;
    for (let b = 0; b + 1 < bs.length; b++) {
      const from = Math.max(start, bs[b]!);
      const to = Math.min(end, bs[b + 1]!);
      if (from >= to) continue;
      ctx.strokeStyle = lines.colours[b]!;
      for (let r = from; r < to; r++) {
        ctx.beginPath();
        this.trace(r, lines.columns.length, ctx);
        ctx.stroke();
      }
    }
    ctx.globalAlpha = 1;
  }

  /** Brushed lines at full opacity, one anti-aliased path per bucket, better buckets over worse. */
  private strokeBrushed(ctx: CanvasRenderingContext2D, lines: ParallelLines, mask: Uint8Array): void {
    const rows = lines.rows;
    for (let b = 0; b + 1 < lines.bucketStart.length; b++) {
      const p = new Path2D();
      let count = 0;
      for (let r = lines.bucketStart[b]!; r < lines.bucketStart[b + 1]!; r++) {
        if (mask[rows[r]!] !== 1) continue;
        count++;
        this.trace(r, lines.columns.length, p);
      }
      ctx.strokeStyle = lines.colours[b]!;
      if (count > 0) ctx.stroke(p);
    }
  }

  /**
   * The same lines rasterised by line-raster.ts into the canvas' pixels (1 device pixel wide, not anti-aliased,
   * opaque, later buckets over earlier ones): 4–6× faster than the browser's strokes, whose rasterising at the paint
   * was most of a brush's response.
   */
  private rasterBrushed(ctx: CanvasRenderingContext2D, lines: ParallelLines, mask: Uint8Array): void {
    const { width, height } = this.canvas;
    if (this.pixels?.width !== width || this.pixels.height !== height) this.pixels = ctx.createImageData(width, height);
    const px = new Uint32Array(this.pixels.data.buffer);
    px.fill(0);
    const dpr = window.devicePixelRatio || 1;
    const rows = lines.rows;
    const axes = lines.columns.length;
    const xs = this.xs.map((x) => x * dpr);
    const ys = this.ys;
    for (let b = 0; b + 1 < lines.bucketStart.length; b++) {
      const word = this.words[b]!;
      for (let r = lines.bucketStart[b]!; r < lines.bucketStart[b + 1]!; r++) {
        if (mask[rows[r]!] !== 1) continue;
        for (let a = 0; a + 1 < axes; a++) {
          const y0 = ys[r * axes + a]!;
          const y1 = ys[r * axes + a + 1]!;
          // NaN: a trial without this param (a conditional space) has no segment to or from the axis.
          if (Number.isNaN(y0) || Number.isNaN(y1)) continue;
          rasterSegment(px, width, height, xs[a]!, y0 * dpr, xs[a + 1]!, y1 * dpr, word);
        }
      }
    }
    ctx.putImageData(this.pixels, 0, 0);
  }

  private draw(): void {
    const lines = this.lines;
    const host = this.canvas.parentElement;
    if (lines === null || host === null) return;
    const width = host.clientWidth;
    const height = host.clientHeight;
    const rows = lines.rows;
    const generation = ++this.drawGeneration; // cancels an unfinished progressive draw
    if (this.layout(lines, width, height)) {
      this.fadedStale = true;
      this.scheduleFaded(width, height);
    }
    const mask = this.mask;
    if (mask !== null && this.fadedStale) this.drawFaded(width, height);
    this.faded.style.visibility = mask === null ? 'hidden' : 'visible';
    const ctx = this.prepare(this.canvas, width, height);
    this.canvas.dataset.lines = String(rows.length);
    if (mask === null) {
      // Nothing brushed. One stroke a line measured as fast as one path per bucket at this opacity.
      const step = (start: number) => {
        if (generation !== this.drawGeneration) return;
        const end = Math.min(rows.length, start + CHUNK_LINES);
        this.strokeAll(ctx, lines, start, end);
        if (end < rows.length) afterPaint(() => step(end));
      };
      step(0);
      this.canvas.dataset.selected = String(rows.length);
      return;
    }
    let selected = 0;
    for (let r = 0; r < rows.length; r++) selected += mask[rows[r]!] === 1 ? 1 : 0;
    if (selected >= RASTER_MIN_LINES) this.rasterBrushed(ctx, lines, mask);
    else this.strokeBrushed(ctx, lines, mask);
    this.canvas.dataset.selected = String(selected);
  }
}
