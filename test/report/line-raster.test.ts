/** The parallel chart's own line rasteriser (src/report/client/charts/line-raster.ts), on plain pixel buffers. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cssPixelWord, pixelWord, rasterSegment } from '../../src/report/client/charts/line-raster.js';

const W = 40;
const H = 30;
const inked = (px: Uint32Array) => [...px.keys()].filter((i) => px[i] !== 0).map((i) => [i % W, Math.floor(i / W)] as const);

describe('line rasteriser', () => {
  test('a colour becomes the word a Uint32Array reads over its RGBA bytes', () => {
    const word = cssPixelWord('rgb(8,48,107)');
    assert.deepEqual([...new Uint8ClampedArray(new Uint32Array([word]).buffer)], [8, 48, 107, 255]);
    assert.equal(cssPixelWord('#08306b'), word);
    assert.equal(pixelWord(1, 2, 3, 4), new Uint32Array(new Uint8ClampedArray([1, 2, 3, 4]).buffer)[0]);
    assert.throws(() => cssPixelWord('rgba(1,2,3,0.5)'), /cannot rasterise the colour rgba/);
  });

  test('a shallow segment sets one pixel per column, on the line, from its first column to before its last', () => {
    const px = new Uint32Array(W * H);
    rasterSegment(px, W, H, 2, 3, 32, 18, 7);
    const pts = inked(px);
    assert.deepEqual(pts.map(([x]) => x).sort((a, b) => a - b), Array.from({ length: 30 }, (_, k) => 2 + k));
    for (const [x, y] of pts) assert.ok(Math.abs(y + 0.5 - (3 + ((x + 0.5 - 2) * 15) / 30)) <= 0.5, `(${x}, ${y}) is on the line`);
    assert.ok(pts.every(([x, y]) => px[y * W + x] === 7));
  });

  test('a steep segment sets one pixel per row, whichever end comes first', () => {
    const down = new Uint32Array(W * H);
    rasterSegment(down, W, H, 5, 2, 11, 26, 1);
    const up = new Uint32Array(W * H);
    rasterSegment(up, W, H, 11, 26, 5, 2, 1);
    assert.deepEqual(inked(up), inked(down));
    const rows = inked(down).map(([, y]) => y);
    assert.deepEqual(rows, Array.from({ length: 24 }, (_, k) => 2 + k));
    for (const [x, y] of inked(down)) assert.ok(Math.abs(x + 0.5 - (5 + ((y + 0.5 - 2) * 6) / 24)) <= 0.5, `(${x}, ${y}) is on the line`);
  });

  test('two segments meeting at a point leave no gap and set no column twice; pixels outside the buffer are skipped', () => {
    const px = new Uint32Array(W * H);
    rasterSegment(px, W, H, 0, 10, 20, 0, 1);
    rasterSegment(px, W, H, 20, 0, 39.6, 10, 2);
    const cols = inked(px).map(([x]) => x).sort((a, b) => a - b);
    assert.deepEqual(cols, Array.from({ length: 40 }, (_, k) => k));
    const clipped = new Uint32Array(W * H);
    rasterSegment(clipped, W, H, -50, -20, 90, 60, 3);
    assert.ok(inked(clipped).length > 0 && inked(clipped).length <= Math.max(W, H));
    const outside = new Uint32Array(W * H);
    rasterSegment(outside, W, H, -10, 50, 60, 80, 3);
    assert.equal(inked(outside).length, 0);
  });
});
