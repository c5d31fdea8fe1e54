/**
 * `tune dashboard` at scale: a study of --trials trials x --epochs epochs (default 100,000 x 20, the size),
 * written through the public Storage API into a real SQLite file, served read-only by the real server, opened in
 * headless Chromium. Measures:
 * - load: from navigation to the first chart painted, and to every view drawn (issue target: <= 3 s);
 * - update: from a sweep's commit (a new trial, then a new epoch of it) to the page showing it (target: <= 1 s),
 *   several times; and on the server alone, one refresh (changesSince, rebuild from the mirror, diff) and the patch size.
 * Run: `npm run bench -- dashboard [--quick] [--trials N] [--epochs E] [--updates K]`. Writes results/bench/dashboard.json.
 */
import { existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { createRng } from '../../src/core/rng.js';
import { startDashboard } from '../../src/dashboard/index.js';
import { StudyFeed } from '../../src/dashboard/feed.js';
import { renderPage } from '../../src/report/index.js';
import { liveReportData } from '../../src/dashboard/live-data.js';
import { openStorage, type Storage } from '../../src/storage/index.js';
import { fmt, median, printTable, tempDir, writeResult } from './lib/common.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false }, trials: { type: 'string' }, epochs: { type: 'string' }, updates: { type: 'string' },
    /** Keep the generated database here and reuse it on the next run (writing 100,000 trials takes a while). */
    db: { type: 'string' },
  },
});
const QUICK = args.quick;
const TRIALS = Number(args.trials ?? (QUICK ? 300 : 100_000));
const EPOCHS = Number(args.epochs ?? (QUICK ? 3 : 20));
const UPDATES = Number(args.updates ?? (QUICK ? 2 : 5));
const CHROMIUM = process.env.TUNE_CHROMIUM ?? '/usr/bin/chromium';

const SPACE = {
  name: 'bench-dashboard',
  objective: { metric: 'val_accuracy', direction: 'maximize' },
  task: { data: { builtin: 'mnist', limit: 200 }, validationSplit: 0.2, model: { type: 'mlp', hidden: [16] }, optimizer: 'adam', epochs: EPOCHS },
  params: {
    learningRate: { type: 'float', min: 1e-4, max: 1e-1, log: true },
    units: { type: 'int', min: 8, max: 128, log: false, step: 1 },
    dropout: { type: 'float', min: 0, max: 0.5, log: false },
    optimizer: { type: 'categorical', values: ['adam', 'sgd', 'rmsprop'] },
  },
  strategy: { type: 'random', trials: TRIALS },
  seed: 1,
};

const rng = createRng(7);
const draw = () => ({
  learningRate: 10 ** (-4 + 3 * rng()), units: 8 + Math.floor(rng() * 121), dropout: 0.5 * rng(),
  optimizer: ['adam', 'sgd', 'rmsprop'][Math.floor(rng() * 3)]!,
});

/** One trial as a sweep writes it: created claimed, one report per epoch, finished. */
async function writeTrial(s: Storage, study: number, epochs: number, worker: string, finish = true): Promise<number> {
  const t = await s.createTrial(study, { params: draw(), budget: EPOCHS, seed: 1, claimBy: worker });
  const top = 0.6 + 0.35 * rng();
  for (let e = 1; e <= epochs; e++) {
    const v = top * (1 - Math.exp(-e / 3));
    await s.report(t.id, e, { val_accuracy: v }, v);
  }
  if (finish) await s.finishTrial(t.id, { state: 'complete', epochs });
  return t.id;
}

/** CPU time (user + system) of this process since `start`, in ms: the machine is shared, so wall time alone misleads. */
const cpuMs = (start: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};

const dir = tempDir('dashboard');
const file = args.db ?? join(dir, 'tune.db');
const reuse = args.db !== undefined && existsSync(args.db);
const writer = openStorage(file);
const study = await writer.openStudy({ name: 'bench-dashboard', space: SPACE.params, direction: 'maximize', metric: 'val_accuracy', strategy: 'random', seed: 1 });
await writer.setStudyDefinition(study.id, SPACE);
let t = performance.now();
for (let i = reuse ? (await writer.trials(study.id)).length : 0; i < TRIALS; i++) {
  await writeTrial(writer, study.id, EPOCHS, `host:${i % 4}`);
  if (i % 10_000 === 9_999) process.stderr.write(`  wrote ${i + 1} trials\n`);
}
const writeS = (performance.now() - t) / 1000;

// The server alone: first build, then one refresh after a new trial (what each tick costs when something changed).
const reader = openStorage(file, { readonly: true });
const feed = new StudyFeed(reader, study, liveReportData());
t = performance.now();
let cpu = process.cpuUsage();
const full = await feed.current();
const buildMs = performance.now() - t;
const buildCpuMs = cpuMs(cpu);
const fullBytes = Buffer.byteLength(JSON.stringify(full));
await writeTrial(writer, study.id, 1, 'host:0', false);
t = performance.now();
cpu = process.cpuUsage();
const update = await feed.refresh();
const refreshMs = performance.now() - t;
const refreshCpuMs = cpuMs(cpu);
const patchBytes = Buffer.byteLength(JSON.stringify(update));
await reader.close();

const storage = openStorage(file, { readonly: true });
const dashboard = await startDashboard({
  storage, file, host: '127.0.0.1', port: 0,
  renderPage: async (dataSource, s) => renderPage({ dataSource, title: `${s.name} · tune dashboard` }),
  buildData: liveReportData(),
});
// The server builds the most recent studies' data as soon as it listens (WARM_STUDIES); a user opens the page after.
t = performance.now();
await dashboard.prepared;
const preparedS = (performance.now() - t) / 1000;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
const origin = `http://127.0.0.1:${dashboard.port}`;
// The renderer's main-thread busy time (Chrome's TaskDuration, in s), which doesn't count waiting for a CPU.
const cdp = await page.context().newCDPSession(page);
await cdp.send('Performance.enable');
const taskS = async (): Promise<number> =>
  (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? Number.NaN;
let task0 = await taskS();
t = performance.now();
await page.goto(`${origin}/study/bench-dashboard`);
await page.waitForFunction(() => document.querySelector('section[data-view="history"]')?.getAttribute('data-state') === 'chart', undefined, { timeout: 120_000 });
const firstChartS = (performance.now() - t) / 1000;
await page.waitForFunction(() => document.body.dataset.ready === 'true' && document.documentElement.dataset.live === 'live', undefined, { timeout: 120_000 });
const loadS = (performance.now() - t) / 1000;
const loadTaskS = (await taskS()) - task0;

const trialMs: number[] = [];
const trialSettledMs: number[] = [];
const epochMs: number[] = [];
const epochCurvesMs: number[] = [];
const epochSettledMs: number[] = [];
/** Waits until every view of the page has drawn the data it holds now (`<body data-rendered-seq>`). */
const settled = () => page.waitForFunction(() => document.body.dataset.renderedSeq === String(window.tuneReport!.data()!.seq), undefined, { timeout: 60_000, polling: 10 });
const updateTaskMs: number[] = [];
for (let k = 0; k < UPDATES; k++) {
  const n = await page.evaluate(() => window.tuneReport!.data()!.trialCount);
  task0 = await taskS();
  const id = await (async () => {
    const created = await writer.createTrial(study.id, { params: draw(), budget: EPOCHS, seed: 2, claimBy: 'host:9' });
    t = performance.now();
    return created.id;
  })();
  await page.waitForFunction((m) => window.tuneReport!.data()!.trialCount === m + 1, n, { timeout: 60_000, polling: 10 });
  trialMs.push(performance.now() - t);
  await settled();
  trialSettledMs.push(performance.now() - t);
  updateTaskMs.push(((await taskS()) - task0) * 1000);
  await writer.report(id, 1, { val_accuracy: 0.5 }, 0.5);
  t = performance.now();
  await page.waitForFunction(() => {
    const o = window.tuneReport!.data()!.curves.offsets;
    return o[o.length - 1]! - o[o.length - 2]! === 1;
  }, undefined, { timeout: 60_000, polling: 10 });
  epochMs.push(performance.now() - t);
  // The new epoch is visible once the learning-curves chart has drawn that version of the data.
  await page.waitForFunction(() => document.querySelector<HTMLElement>('#view-curves')!.dataset.seq === String(window.tuneReport!.data()!.seq), undefined, { timeout: 60_000, polling: 10 });
  epochCurvesMs.push(performance.now() - t);
  await settled();
  epochSettledMs.push(performance.now() - t);
  await writer.finishTrial(id, { state: 'complete', epochs: 1 });
  await new Promise((r) => setTimeout(r, 500));
}

await browser.close();
await dashboard.close();
await storage.close();
await writer.close();
rmSync(dir, { recursive: true, force: true });

const rows: string[][] = [
  ['study written (public API)', reuse ? 'reused --db' : `${fmt(writeS)} s`, `${TRIALS.toLocaleString('en')} trials x ${EPOCHS} epochs`],
  ['server: first build of the data', `${fmt(buildMs)} ms (CPU ${fmt(buildCpuMs)} ms)`, `${fmt(fullBytes / 1e6)} MB of JSON`],
  ['server: one refresh after a new trial', `${fmt(refreshMs)} ms (CPU ${fmt(refreshCpuMs)} ms)`, `patch ${fmt(patchBytes / 1e3)} kB`],
  ['server: page data prepared after start', `${fmt(preparedS)} s`, 'before the page is opened'],
  ['page: first chart painted', `${fmt(firstChartS)} s`, 'target <= 3 s (load)'],
  ['page: every view drawn, stream open', `${fmt(loadS)} s (main thread busy ${fmt(loadTaskS)} s)`, 'target <= 3 s (load)'],
  ['update: new trial shown (median / max)', `${fmt(median(trialMs))} / ${fmt(Math.max(...trialMs))} ms`, `target <= 1 s; ${UPDATES} runs; table and charts in view drawn`],
  ['update: new trial, every view redrawn (median)', `${fmt(median(trialSettledMs))} ms`, 'off-screen charts follow one per frame'],
  ['page: main-thread work per new trial (median)', `${fmt(median(updateTaskMs))} ms`, 'patch, clone, re-render'],
  ['update: new epoch shown (median / max)', `${fmt(median(epochMs))} / ${fmt(Math.max(...epochMs))} ms`, `target <= 1 s; ${UPDATES} runs; table and charts in view drawn`],
  ['update: new epoch in the learning curves (median)', `${fmt(median(epochCurvesMs))} ms`, 'the curves chart redrawn'],
  ['update: new epoch, every view redrawn (median)', `${fmt(median(epochSettledMs))} ms`, ''],
];
printTable(['dashboard', 'figure', 'note'], rows);
process.stdout.write(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores\n`);
const out = writeResult('dashboard', {
  trials: TRIALS, epochs: EPOCHS, writeS, buildMs, buildCpuMs, fullBytes, refreshMs, refreshCpuMs, patchBytes, firstChartS, loadS,
  loadTaskS, trialMs, epochMs, updateTaskMs, preparedS, trialSettledMs, epochCurvesMs, epochSettledMs, loadAverage: os.loadavg(), cores: os.cpus().length,
});
process.stdout.write(`wrote ${out}\n`);
