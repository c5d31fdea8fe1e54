/**
 * A 1-pixel, not anti-aliased line rasteriser into an ImageData's pixels, for the parallel chart's brushed lines
 * (parallel-lines.ts). The browser's anti-aliased strokes of 10,000 lines × 4 segments took 130–340 ms to rasterise
 * in headless Chromium on a loaded 2-core machine; this loop took 22–41 ms for the same lines (BENCHMARKS.md
 * "Report", third session). It walks the major axis one pixel a step and rounds the minor one (a DDA, as
 * Bresenham's line but in floating point: the ends are fractional pixel positions).
 */

/** The 32-bit word that `Uint32Array` over ImageData bytes reads for this opaque colour (any byte order). */
export function pixelWord(r: number, g: number, b: number, a = 255): number {
  const bytes = new Uint8ClampedArray([r, g, b, a]);
  return new Uint32Array(bytes.buffer)[0]!;
}

/** `rgb(r,g,b)` or `#rrggbb` as a pixel word (parallel.ts writes its bucket colours as `rgb(…)`). */
export function cssPixelWord(css: string): number {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(css);
  if (hex !== null) return pixelWord(...(hex.slice(1, 4).map((h) => Number.parseInt(h, 16)) as [number, number, number]));
  const rgb = /^rgb\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(css);
  if (rgb === null) throw new Error(`tune report: cannot rasterise the colour ${css}`);
  return pixelWord(Number(rgb[1]), Number(rgb[2]), Number(rgb[3]));
}

/**
 * Sets the pixels of the segment (x0, y0)–(x1, y1), in pixel coordinates (pixel (x, y) covers [x, x+1) × [y, y+1)),
 * to `word` in the `width` × `height` buffer `px` (row-major); pixels outside the buffer are skipped.
 */
export function rasterSegment(px: Uint32Array, width: number, height: number, x0: number, y0: number, x1: number, y1: number, word: number): void {
  walk(px, width, height, x0, y0, x1, y1, word, false);
}

/** The same pixels as `rasterSegment`, each counted (+1) instead of set: how many lines cross each pixel. */
export function countSegment(counts: Uint32Array, width: number, height: number, x0: number, y0: number, x1: number, y1: number): void {
  walk(counts, width, height, x0, y0, x1, y1, 0, true);
}

/**
 * Pixel words for `counts` lines of one colour at `alpha` crossing a pixel, as the canvas' source-over compositing
 * gives: coverage 1 - (1 - alpha)^count. `out[k]` for k up to `max` (counts above it read `out[max]`).
 */
export function coverageWords(r: number, g: number, b: number, alpha: number, max = 255): Uint32Array {
  return Uint32Array.from({ length: max + 1 }, (_, k) => (k === 0 ? 0 : pixelWord(r, g, b, Math.round(255 * (1 - (1 - alpha) ** k)))));
}

/** Counts (from countSegment) to pixel words through `words` (from coverageWords), in place. */
export function countsToWords(counts: Uint32Array, words: Uint32Array, into: Uint32Array): void {
  const max = words.length - 1;
  for (let i = 0; i < counts.length; i++) into[i] = words[Math.min(counts[i]!, max)]!;
}

function walk(px: Uint32Array, width: number, height: number, x0: number, y0: number, x1: number, y1: number, word: number, add: boolean): void {
  const dx = x1 - x0;
  const dy = y1 - y0;
  if (Math.abs(dx) >= Math.abs(dy)) {
    if (dx === 0) {
      const x = Math.floor(x0);
      const y = Math.floor(y0);
      if (x >= 0 && x < width && y >= 0 && y < height) px[y * width + x] = add ? px[y * width + x]! + 1 : word;
      return;
    }
    // One pixel per column; columns are sampled at their centres, within the segment's extent and the buffer.
    const slope = dy / dx;
    const from = Math.max(0, Math.round(Math.min(x0, x1)));
    const to = Math.min(width - 1, Math.round(Math.max(x0, x1)) - 1);
    let y = y0 + (from + 0.5 - x0) * slope;
    for (let x = from; x <= to; x++, y += slope) {
      const row = Math.floor(y);
      if (row >= 0 && row < height) {
        const i = row * width + x;
        px[i] = add ? px[i]! + 1 : word;
      }
    }
    return;
  }
  const slope = dx / dy;
  const from = Math.max(0, Math.round(Math.min(y0, y1)));
  const to = Math.min(height - 1, Math.round(Math.max(y0, y1)) - 1);
  let x = x0 + (from + 0.5 - y0) * slope;
  for (let y = from; y <= to; y++, x += slope) {
    const col = Math.floor(x);
    if (col >= 0 && col < width) {
      const i = y * width + col;
      px[i] = add ? px[i]! + 1 : word;
    }
  }
}
