/**
 * `tuneReport.update` in real Chromium redraws only the views whose data changed (counted by `tuneReport.redraws`,
 * not timed), marks the others current, and still brings every affected view up to date, off-screen ones included.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { buildReport, type ReportData } from '../../src/report/index.js';
import { launchBrowser, offlinePage, type WatchedPage } from '../helpers/browser.js';
import { tempDir } from '../helpers/cli.js';
import { seedStudy } from '../helpers/seed-study.js';
import { buildClient } from './helpers.js';

const VIEWS = ['summary', 'history', 'curves', 'parallel', 'slices', 'contour', 'importance', 'fidelity', 'timeline', 'table'] as const;
type Counts = Record<(typeof VIEWS)[number], number>;

let browser: Browser;
let url: string;
let data: ReportData;

before(async () => {
  buildClient();
  const dir = tempDir('tune-report-update-');
  const { storage, study } = await seedStudy(join(dir, 'u.db'), { name: 'update', trials: 40, strategy: 'random' });
  try {
    const built = await buildReport(storage, study);
    data = built.data;
    writeFileSync(join(dir, 'u.html'), built.html);
    url = pathToFileURL(join(dir, 'u.html')).href;
  } finally {
    await storage.close();
  }
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function open(): Promise<WatchedPage> {
  const w = await offlinePage(browser);
  await w.page.goto(url);
  await w.page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
  return w;
}

/** Calls update(next) and waits until every view has caught up; returns how many times each view was drawn for it. */
async function update(w: WatchedPage, next: ReportData): Promise<Counts> {
  const before = await w.page.evaluate(() => ({ ...window.tuneReport!.redraws }));
  await w.page.evaluate((d) => window.tuneReport!.update(d), next);
  await w.page.waitForFunction((seq) => document.body.dataset.renderedSeq === String(seq), next.seq, { timeout: 30_000 });
  const afterCounts = await w.page.evaluate(() => ({ ...window.tuneReport!.redraws }));
  return Object.fromEntries(VIEWS.map((v) => [v, afterCounts[v] - before[v]])) as Counts;
}

const redrawn = (c: Counts) => VIEWS.filter((v) => c[v] > 0);

describe('tuneReport.update redraws only what changed', () => {
  test('a new seq with the same data redraws nothing and marks every view current', async () => {
    const w = await open();
    const counts = await update(w, { ...data, seq: data.seq + 1 });
    assert.deepEqual(redrawn(counts), []);
    const seqs = await w.page.evaluate(() => Array.from(document.querySelectorAll<HTMLElement>('section[data-view]')).map((s) => s.dataset.seq));
    assert.deepEqual(seqs, VIEWS.map(() => String(data.seq + 1)));
    assert.deepEqual(w.errors, []);
    await w.page.context().close();
  });

  test('new importance redraws the importance and contour views only', async () => {
    const w = await open();
    const est = data.importance!.estimates;
    assert.ok(est.length > 0, 'the seeded study has importance estimates');
    const names = data.params.map((p) => p.name);
    // Put all the weight on the last param: the contour's pair changes too.
    const importance = { ...data.importance!, estimates: est.map((e) => ({ ...e, importances: Object.fromEntries(names.map((n, k) => [n, k === names.length - 1 ? 1 : 0])) })) };
    const counts = await update(w, { ...data, importance, seq: data.seq + 1 });
    assert.deepEqual(redrawn(counts), ['contour', 'importance']);
    assert.equal(counts.contour, 1);
    assert.deepEqual(w.errors, []);
    await w.page.context().close();
  });

  test('a changed heartbeat redraws the views that read it and leaves curves, parallel and slices alone', async () => {
    const w = await open();
    const last = data.trialCount - 1;
    const heartbeat = data.trials.heartbeat.map((h, i) => (i === last ? (h ?? 0) + 5000 : h));
    const counts = await update(w, { ...data, trials: { ...data.trials, heartbeat }, seq: data.seq + 1 });
    assert.deepEqual(redrawn(counts), ['summary', 'history', 'timeline', 'table']);
    assert.deepEqual(w.errors, []);
    await w.page.context().close();
  });

  test('a new running trial without a value leaves parallel coordinates, slices and contour alone', async () => {
    const w = await open();
    const t = data.trials;
    const n = data.trialCount;
    const at = Math.max(...t.created) + 1000;
    const trials = {
      ...t, number: [...t.number, n], state: [...t.state, 1], value: [...t.value, null], epochs: [...t.epochs, 0], budget: [...t.budget, t.budget[0]!],
      rung: [...t.rung, null], bracket: [...t.bracket, null], worker: [...t.worker, 0], created: [...t.created, at], started: [...t.started, at],
      finished: [...t.finished, null], heartbeat: [...t.heartbeat, at], error: [...t.error, null],
    };
    const params = data.params.map((p) => ({ ...p, values: [...p.values, p.choices === null ? p.values.find((v) => v !== null)! : 0] }));
    const offsets = [...data.curves.offsets, data.curves.offsets.at(-1)!];
    const counts = await update(w, { ...data, trialCount: n + 1, trials, params, curves: { ...data.curves, offsets }, seq: data.seq + 1 });
    assert.deepEqual(redrawn(counts).filter((v) => ['parallel', 'slices', 'contour', 'importance'].includes(v)), []);
    for (const v of ['summary', 'history', 'timeline', 'table'] as const) assert.equal(counts[v], 1, v);
    assert.equal(await w.page.evaluate(() => document.querySelector<HTMLElement>('#view-table .content')!.dataset.rows), String(n + 1));
    assert.deepEqual(w.errors, []);
    await w.page.context().close();
  });

  test('a trial losing its value updates every view that draws values, on screen or not, each once', async () => {
    const w = await open();
    const i = data.trials.value.findIndex((v) => v !== null);
    const value = data.trials.value.map((v, k) => (k === i ? null : v));
    const points = () => w.page.evaluate(() => Object.fromEntries(Array.from(document.querySelectorAll<HTMLElement>('section[data-view]')).map((s) => [s.dataset.view, Number(s.dataset.points ?? 0)])));
    const before = await points();
    const counts = await update(w, { ...data, trials: { ...data.trials, value }, seq: data.seq + 1 });
    for (const v of ['summary', 'history', 'curves', 'parallel', 'slices', 'contour', 'table'] as const) assert.equal(counts[v], 1, v);
    assert.equal(counts.importance, 0);
    const now = await points();
    assert.equal(now.history, before.history! - 1);
    assert.equal(now.parallel, before.parallel! - 1);
    const stats = await w.page.evaluate(() => window.tuneReport!.lastUpdate!);
    assert.ok(stats.settledMs >= stats.shownMs);
    assert.deepEqual(w.errors, []);
    await w.page.context().close();
  });
});
