/**
 * `tune dashboard` in a real Chromium: a sweep writing beside it (trials written through Storage, as the engine does)
 * shows up in the open page within 2 s (issue 12, §4), through the event stream, without refetching the study.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, offlinePage } from '../helpers/browser.js';
import { tempDir } from '../helpers/cli.js';
import { seedStudy } from '../helpers/seed-study.js';
import type { Storage } from '../../src/storage/index.js';
import { serve, type Served } from './helpers.js';

const dir = tempDir('tune-dash-live-');
const file = path.join(dir, 'tune.db');
const RESULTS = path.resolve(import.meta.dirname, '../../results');
/** The bound for a new trial to appear in the page. */
const APPEARS_WITHIN_MS = 2000;

let browser: Browser;
let served: Served;
let writer: Storage;
let studyId = 0;

before(async () => {
  const seeded = await seedStudy(file, { trials: 10, name: 'live-sweep', strategy: 'asha' });
  writer = seeded.storage;
  studyId = seeded.study.id;
  served = await serve(file);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await served?.close();
  await writer?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('tune dashboard in Chromium', () => {
  test('the study list links to each study', async () => {
    const { page, errors, blocked } = await offlinePage(browser, { allow: [`${served.origin}/`] });
    await page.goto(`${served.origin}/`);
    await page.click('a[href="/study/live-sweep"]');
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    assert.deepEqual([errors, blocked], [[], []]);
    await page.context().close();
  });

  test('a new trial and a new epoch from a running sweep appear within 2 s, by patches only', async () => {
    const { page, errors, blocked } = await offlinePage(browser, { allow: [`${served.origin}/`] });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await page.goto(`${served.origin}/study/live-sweep`);
    await page.waitForFunction(() => document.documentElement.dataset.live === 'live' && document.body.dataset.ready === 'true');
    const before = await page.evaluate(() => ({
      trials: window.tuneReport!.data()!.trialCount,
      rows: document.querySelector<HTMLElement>('#view-table [data-rows]')?.dataset.rows,
    }));
    assert.deepEqual(before, { trials: 10, rows: '10' });
    const loads = requests.filter((p) => p.endsWith('/report')).length;
    assert.equal(loads, 1);

    // A new trial, claimed and reporting its first epoch, as a sweep beside the dashboard writes it.
    let started = Date.now();
    const t = await writer.createTrial(studyId, { params: { learningRate: 0.01, units: 64, dropout: 0.2, optimizer: 'adam' }, budget: 9, rung: 0, seed: 99, claimBy: 'other-host:1' });
    await writer.report(t.id, 1, { val_accuracy: 0.5 }, 0.5);
    await page.waitForFunction(
      () => window.tuneReport!.data()!.trialCount === 11 && document.querySelector<HTMLElement>('#view-table [data-rows]')?.dataset.rows === '11',
      undefined, { timeout: APPEARS_WITHIN_MS },
    );
    const trialMs = Date.now() - started;

    // A new epoch of that trial: its learning curve grows by one point.
    const curveLength = () => page.evaluate(() => {
      const o = window.tuneReport!.data()!.curves.offsets;
      return o[o.length - 1]! - o[o.length - 2]!;
    });
    assert.equal(await curveLength(), 1);
    started = Date.now();
    await writer.report(t.id, 2, { val_accuracy: 0.625 }, 0.625);
    await page.waitForFunction(() => {
      const o = window.tuneReport!.data()!.curves.offsets;
      return o[o.length - 1]! - o[o.length - 2]! === 2;
    }, undefined, { timeout: APPEARS_WITHIN_MS });
    const epochMs = Date.now() - started;

    await writer.finishTrial(t.id, { state: 'complete', epochs: 2 });
    await page.waitForFunction(() => window.tuneReport!.data()!.trials.state.at(-1) === 3, undefined, { timeout: APPEARS_WITHIN_MS });
    const shown = await page.evaluate(() => window.tuneReport!.data()!);
    assert.equal(shown.workers.includes('other-host:1'), true);
    assert.equal(shown.trials.value.at(-1), 0.625);

    assert.equal(requests.filter((p) => p.endsWith('/report')).length, loads, 'updates came as patches, not full reloads');
    assert.deepEqual([errors, blocked], [[], []]);
    fs.mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS, 'dashboard.png'), fullPage: false });
    process.stdout.write(`# new trial shown after ${trialMs} ms, new epoch after ${epochMs} ms\n`);
    await page.context().close();
  });

  test('a page that missed updates (stale seq) reloads the data once and follows again', async () => {
    const { page, errors } = await offlinePage(browser, { allow: [`${served.origin}/`] });
    await page.goto(`${served.origin}/study/live-sweep`);
    await page.waitForFunction(() => document.documentElement.dataset.live === 'live');
    const n = await page.evaluate(() => window.tuneReport!.data()!.trialCount);
    // Drop the page's stream and write while it is away; it reconnects with its old seq.
    await served.dashboard.close();
    await writer.createTrial(studyId, { params: { learningRate: 0.02, units: 32, dropout: 0.1, optimizer: 'sgd' }, budget: 9, rung: 0, seed: 100 });
    served = await serve(file, '127.0.0.1', served.port);
    await page.waitForFunction((m) => window.tuneReport!.data()!.trialCount === m + 1, n, { timeout: 10_000 });
    assert.deepEqual(errors.filter((e) => !/ERR_CONNECTION_REFUSED|EventSource|Failed to load resource/.test(e)), []);
    await page.context().close();
  });
});
