/**
 * The report in real Chromium (playwright-core, /usr/bin/chromium), opened from file:// with every other request
 * aborted: each view draws the expected number of marks for a seeded study, nothing is logged to the console,
 * brushing an axis filters the table and the other charts, `tuneReport.update` redraws, and a study with no finished
 * trials shows its empty-state messages. Screenshots of every view go to results/report-screens/.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { TrialRecord } from '../../src/core/types.js';
import { buildReport, type ReportData } from '../../src/report/index.js';
import { launchBrowser, offlinePage, type WatchedPage } from '../helpers/browser.js';
import { tempDir } from '../helpers/cli.js';
import { seedStudy, type SeedOptions } from '../helpers/seed-study.js';
import { buildClient, screenshotDir } from './helpers.js';

interface Built {
  readonly url: string;
  readonly data: ReportData;
  readonly records: readonly TrialRecord[];
}

const dir = tempDir('tune-report-browser-');

async function build(name: string, options: SeedOptions): Promise<Built> {
  const { storage, study } = await seedStudy(join(dir, `${name}.db`), { name, ...options });
  try {
    const { data, html } = await buildReport(storage, study);
    const file = join(dir, `${name}.html`);
    writeFileSync(file, html);
    return { url: pathToFileURL(file).href, data, records: await storage.trials(study.id) };
  } finally {
    await storage.close();
  }
}

let browser: Browser;
let random: Built;
let asha: Built;
let empty: Built;

before(async () => {
  buildClient();
  random = await build('seed-random', { trials: 80, strategy: 'random' });
  asha = await build('seed-asha', { trials: 60, strategy: 'asha' });
  empty = await build('seed-empty', { trials: 5, strategy: 'random', unstarted: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function open(b: Built): Promise<WatchedPage> {
  const w = await offlinePage(browser);
  await w.page.goto(b.url);
  await w.page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
  return w;
}

/** Brushes parallel axis `axis` to `intervals` (none: clears it) through ECharts' own action, as a drag does. */
async function brushAxis(w: WatchedPage, axis: number, intervals: readonly (readonly [number, number])[]): Promise<void> {
  await w.page.evaluate(
    ([a, iv]) => {
      const el = document.querySelector<HTMLElement>('#view-parallel .chart')!;
      (window as unknown as { echarts: { getInstanceByDom(e: HTMLElement): { dispatchAction(x: unknown): void } } }).echarts
        .getInstanceByDom(el)
        .dispatchAction({ type: 'axisAreaSelect', parallelAxisId: `pa-${a}`, intervals: iv });
    },
    [axis, intervals] as const,
  );
}

type ViewState = { state: string; points: number; rows: number; empty: string | null; inked: number };

/** Each view's state and mark count, and how many non-background pixels its canvas has (0 if none). */
async function views(w: WatchedPage): Promise<Record<string, ViewState>> {
  return w.page.evaluate(() => {
    const out: Record<string, { state: string; points: number; rows: number; empty: string | null; inked: number }> = {};
    for (const s of Array.from(document.querySelectorAll<HTMLElement>('section[data-view]'))) {
      const canvas = s.querySelector('canvas');
      let inked = 0;
      if (canvas !== null && canvas.width > 0) {
        const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 0; i < px.length; i += 16) if (px[i + 3]! > 0 && (px[i]! < 240 || px[i + 1]! < 240 || px[i + 2]! < 240)) inked++;
      }
      const emptyEl = s.querySelector<HTMLElement>('.empty:not([hidden])');
      out[s.dataset.view!] = {
        state: s.dataset.state ?? '', points: Number(s.dataset.points ?? 0), inked,
        rows: Number(s.querySelector<HTMLElement>('.content')?.dataset.rows ?? -1), empty: emptyEl?.textContent ?? null,
      };
    }
    return out;
  });
}

describe('report in Chromium from file://', () => {
  test('every view of a random-search study draws the expected marks, offline, without console errors', async () => {
    const w = await open(random);
    const v = await views(w);
    const withValue = random.records.filter((t) => t.value !== null).length;
    assert.equal(v.history!.points, withValue);
    assert.equal(v.curves!.points, random.records.filter((t) => t.epochs > 0).length);
    assert.equal(v.parallel!.points, withValue);
    assert.equal(v.slices!.points, withValue * random.data.params.length);
    assert.ok(v.contour!.points > 0 && v.contour!.points <= withValue);
    assert.equal(v.timeline!.points, random.records.filter((t) => t.startedAt !== null).length);
    assert.equal(v.table!.rows, random.records.length);
    assert.equal(v.fidelity!.state, 'empty');
    // Both estimators side by side, one bar per searched param each; the contour plots their top two.
    assert.equal(v.importance!.state, 'chart');
    assert.equal(v.importance!.points, 2 * random.data.params.length);
    const est = random.data.importance!.estimates;
    const mean = (n: string) => est.reduce((s, e) => s + (e.importances[n] ?? 0), 0) / est.length;
    const top = random.data.params.map((p) => p.name).sort((a, b) => mean(b) - mean(a));
    assert.match((await w.page.textContent('#view-contour .note'))!, new RegExp(`^${top[0]} × ${top[1]} \\(the two most important params\\)`));
    for (const view of ['history', 'curves', 'parallel', 'slices', 'contour', 'importance', 'timeline']) {
      assert.equal(v[view]!.state, 'chart', view);
      assert.ok(v[view]!.inked > 100, `${view} canvas has ink (${v[view]!.inked})`);
    }
    const summary = await w.page.textContent('#view-summary');
    assert.match(summary!, /random/);
    assert.match(summary!, new RegExp(`complete ${random.records.filter((t) => t.state === 'complete').length}`));
    const shots = screenshotDir();
    for (const view of Object.keys(v)) await w.page.locator(`#view-${view}`).screenshot({ path: join(shots, `random-${view}.png`) });
    assert.deepEqual(w.errors, []);
    assert.deepEqual(w.blocked, []);
    await w.page.context().close();
  });

  test('brushing a parallel axis filters the trial table and the other charts; the state filter narrows the table', async () => {
    const w = await open(random);
    const lr = random.data.params.findIndex((p) => p.name === 'learningRate');
    const inside = random.records.filter((t) => t.value !== null && (t.params.learningRate as number) >= 1e-3 && (t.params.learningRate as number) <= 1e-2);
    assert.ok(inside.length > 0 && inside.length < random.records.length);
    await brushAxis(w, lr, [[1e-3, 1e-2]]);
    await w.page.waitForFunction((n) => document.body.dataset.brushed === String(n) && document.body.dataset.brushSettled !== undefined, inside.length, { timeout: 30_000 });
    const v = await views(w);
    assert.equal(v.table!.rows, inside.length);
    assert.equal(v.history!.points, inside.length);
    assert.equal(v.slices!.points, inside.length * random.data.params.length);
    const shown = await w.page.evaluate(() => window.tuneReport!.tableTrials());
    assert.deepEqual(shown, inside.map((t) => t.number).sort((a, b) => a - b));
    await w.page.locator('#view-parallel').screenshot({ path: join(screenshotDir(), 'random-parallel-brushed.png') });

    await w.page.locator('#view-table input[value="complete"]').uncheck();
    const notComplete = inside.filter((t) => t.state !== 'complete').length;
    await w.page.waitForFunction((n) => document.querySelector<HTMLElement>('#view-table .content')!.dataset.rows === String(n), notComplete, { timeout: 10_000 });
    assert.deepEqual(w.errors, []);
    await w.page.context().close();
  });

  test('the parallel lines are drawn by the page: every line, then only the brushed ones in colour, at their place on a log axis', async () => {
    const w = await open(random);
    const lr = random.data.params.findIndex((p) => p.name === 'learningRate');
    const withValue = random.records.filter((t) => t.value !== null).length;
    const inside = random.records.filter((t) => t.value !== null && (t.params.learningRate as number) >= 1e-3 && (t.params.learningRate as number) <= 1e-2);
    /** The coloured-lines canvas: its counts, whether the faded one shows, and where on the learningRate axis it has ink. */
    const layer = (axis: number) => w.page.evaluate(([axis, axes]) => {
      const c = document.querySelector<HTMLCanvasElement>('#view-parallel canvas.parallel-lines')!;
      const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let inked = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) inked++;
      // The axes sit between parallel.left = 60 and width - parallel.right (90), evenly; the plot from top 40 to height - 40.
      const x = Math.round(60 + (axis * (c.width - 150)) / (axes - 1));
      const ys: number[] = [];
      for (let y = 0; y < c.height; y++) {
        let a = 0;
        for (let dx = -1; dx <= 1; dx++) a = Math.max(a, px[(y * c.width + x + dx) * 4 + 3]!);
        if (a > 100) ys.push(y);
      }
      return { lines: Number(c.dataset.lines), selected: Number(c.dataset.selected), inked, height: c.height, ys,
        faded: document.querySelector<HTMLCanvasElement>('#view-parallel canvas.parallel-faded')!.style.visibility };
    }, [axis, random.data.params.length + 1] as const);
    const all = await layer(lr);
    assert.equal(all.lines, withValue);
    assert.equal(all.selected, withValue);
    assert.equal(all.faded, 'hidden');
    await brushAxis(w, lr, [[1e-3, 1e-2]]);
    await w.page.waitForFunction((n) => document.body.dataset.brushed === String(n), inside.length, { timeout: 30_000 });
    const brushed = await layer(lr);
    assert.equal(brushed.lines, withValue);
    assert.equal(brushed.selected, inside.length);
    assert.equal(brushed.faded, 'visible');
    assert.ok(brushed.inked < all.inked, `fewer lines, less ink (${brushed.inked} < ${all.inked})`);
    // learningRate's log axis runs from 1e-4 (bottom) to 1e-1 (top): 1e-2 and 1e-3 are a third and two thirds down.
    const plot = brushed.height - 80;
    assert.ok(brushed.ys.length > 0, 'the brushed lines cross the learningRate axis');
    for (const y of brushed.ys) assert.ok(y >= 40 + plot / 3 - 2 && y <= 40 + (2 * plot) / 3 + 2, `ink at y=${y} is inside the brush`);
    await w.page.locator('#view-parallel').screenshot({ path: join(screenshotDir(), 'random-parallel-lines-brushed.png') });
    await brushAxis(w, lr, []);
    await w.page.waitForFunction(() => document.body.dataset.brushed === '', null, { timeout: 30_000 });
    const cleared = await layer(lr);
    assert.equal(cleared.selected, withValue);
    assert.equal(cleared.faded, 'hidden');
    assert.deepEqual(w.errors, []);
    await w.page.context().close();
  });

  test('from 2,000 brushed lines up the page rasterises them itself, each at its place on the brushed log axis', async () => {
    const many = await build('seed-many', { trials: 2400, strategy: 'random', epochs: 1 });
    const w = await open(many);
    const lr = many.data.params.findIndex((p) => p.name === 'learningRate');
    const lo = 10 ** -3.8;
    const inside = many.records.filter((t) => t.value !== null && (t.params.learningRate as number) >= lo && (t.params.learningRate as number) <= 1e-1);
    assert.ok(inside.length >= 2000, `enough lines to take the rasterising path (${inside.length})`);
    await brushAxis(w, lr, [[lo, 1e-1]]);
    await w.page.waitForFunction((n) => document.body.dataset.brushed === String(n), inside.length, { timeout: 60_000 });
    const drawn = await w.page.evaluate(([axis, axes]) => {
      const c = document.querySelector<HTMLCanvasElement>('#view-parallel canvas.parallel-lines')!;
      const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const x = Math.round(60 + (axis * (c.width - 150)) / (axes - 1));
      const ys: number[] = [];
      for (let y = 0; y < c.height; y++) {
        let a = 0;
        for (let dx = -1; dx <= 1; dx++) a = Math.max(a, px[(y * c.width + x + dx) * 4 + 3]!);
        if (a === 255) ys.push(y);
      }
      return { selected: Number(c.dataset.selected), height: c.height, ys };
    }, [lr, many.data.params.length + 1] as const);
    assert.equal(drawn.selected, inside.length);
    // learningRate's log axis runs from 1e-4 (bottom) to 1e-1 (top): 10^-3.8 is 2.8/3 of the way down.
    const plot = drawn.height - 80;
    assert.ok(drawn.ys.length > plot / 2, `the brushed lines cover the brushed part of the axis (${drawn.ys.length} rows)`);
    for (const y of drawn.ys) assert.ok(y >= 40 - 2 && y <= 40 + (2.8 * plot) / 3 + 2, `ink at y=${y} is inside the brush`);
    await w.page.locator('#view-parallel').screenshot({ path: join(screenshotDir(), 'many-parallel-rasterised-brushed.png') });
    assert.deepEqual(w.errors, []);
    await w.page.context().close();
  });

  test("a brush shows on the history chart's overlay: the brushed trials opaque where ECharts places them, the rest veiled", async () => {
    const w = await open(random);
    const lr = random.data.params.findIndex((p) => p.name === 'learningRate');
    const inside = random.records.filter((t) => t.value !== null && (t.params.learningRate as number) >= 1e-3 && (t.params.learningRate as number) <= 1e-2);
    const overlay = () => w.page.evaluate((trials) => {
      const chart = (window as unknown as { echarts: { getInstanceByDom(e: HTMLElement): { convertToPixel(f: unknown, v: number[]): number[] } } }).echarts
        .getInstanceByDom(document.querySelector<HTMLElement>('#view-history .chart')!);
      const c = document.querySelector<HTMLCanvasElement>('#view-history canvas.history-brush')!;
      const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      // Each brushed trial's centre on the trial-number plot, where ECharts places the same point (no named helper:
      // tsx would wrap it in __name, which the page doesn't have).
      const centres = trials.map((t) => {
        const [x, y] = chart.convertToPixel({ gridIndex: 0 }, [t.number, t.value]) as [number, number];
        const k = (Math.round(y) * c.width + Math.round(x)) * 4;
        return Array.from(px.subarray(k, k + 4));
      });
      let veiled = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i] === 190 && px[i - 1] === 255) veiled++;
      return { visibility: c.style.visibility, centres, veiled, points: document.querySelector<HTMLElement>('#view-history')!.dataset.points, first: document.querySelector('#view-history canvas') === c };
    }, inside.map((t) => ({ number: t.number, value: t.value! })));
    await brushAxis(w, lr, [[1e-3, 1e-2]]);
    await w.page.waitForFunction((n) => document.body.dataset.brushed === String(n), inside.length, { timeout: 30_000 });
    const brushed = await overlay();
    assert.equal(brushed.visibility, 'visible');
    assert.equal(brushed.first, false, "ECharts' own canvas stays the section's first");
    assert.equal(brushed.points, String(inside.length));
    for (const [r, g, b, a] of brushed.centres) assert.ok(a === 255 && !(r === 255 && g === 255 && b === 255), `an opaque point (${r},${g},${b},${a})`);
    assert.ok(brushed.veiled > 10_000, `both plots veiled (${brushed.veiled} pixels)`);
    await w.page.locator('#view-history').screenshot({ path: join(screenshotDir(), 'random-history-brushed.png') });
    await brushAxis(w, lr, []);
    await w.page.waitForFunction(() => document.body.dataset.brushed === '', null, { timeout: 30_000 });
    const cleared = await overlay();
    assert.equal(cleared.visibility, 'hidden');
    assert.equal(cleared.points, String(random.records.filter((t) => t.value !== null).length));
    assert.deepEqual(w.errors, []);
    await w.page.context().close();
  });

  test('a multi-fidelity study shows its rungs, and update() redraws the page with new data', async () => {
    const w = await open(asha);
    const v = await views(w);
    assert.equal(v.fidelity!.state, 'chart');
    assert.equal(v.fidelity!.points, 3);
    assert.ok(v.fidelity!.inked > 100);
    assert.equal(v.history!.points, asha.records.filter((t) => t.value !== null).length);
    for (const view of Object.keys(v)) await w.page.locator(`#view-${view}`).screenshot({ path: join(screenshotDir(), `asha-${view}.png`) });
    await w.page.screenshot({ path: join(screenshotDir(), 'asha-full.png'), fullPage: true });

    await w.page.evaluate((d) => window.tuneReport!.update(d), { ...random.data, seq: random.data.seq + 1 } as ReportData);
    await w.page.waitForFunction(() => document.querySelector<HTMLElement>('#view-fidelity')!.dataset.state === 'empty', null, { timeout: 10_000 });
    assert.equal((await views(w)).table!.rows, random.records.length);
    assert.deepEqual(w.errors, []);
    await w.page.context().close();
  });

  test('a study with no finished trials shows empty-state messages, not blank charts', async () => {
    const w = await open(empty);
    const v = await views(w);
    for (const view of ['history', 'curves', 'parallel', 'slices', 'contour', 'importance', 'fidelity', 'timeline']) {
      assert.equal(v[view]!.state, 'empty', view);
      assert.ok((v[view]!.empty ?? '').length > 10, `${view} says why`);
    }
    assert.equal(v.table!.rows, empty.records.length);
    assert.match((await w.page.textContent('#view-summary'))!, /No trial has finished/);
    await w.page.screenshot({ path: join(screenshotDir(), 'empty-full.png'), fullPage: true });
    assert.deepEqual(w.errors, []);
    assert.deepEqual(w.blocked, []);
    await w.page.context().close();
  });
});
