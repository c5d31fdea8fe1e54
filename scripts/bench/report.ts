/**
 * `tune report` at scale (issue 12 §3): a study of 100,000 trials × 20 epochs written through the public Storage API,
 * then the report's build time and file size, the first chart's paint in headless Chromium (/usr/bin/chromium),
 * and the response to brushing the parallel coordinates of a 10,000-trial study: ECharts' own line highlighting,
 * the filter, the table and the history chart, up to the paint after them; the other charts follow, one per frame.
 * Targets on 2 cores: build ≤ 15 s, file ≤ 25 MB (10^6 bytes), first paint ≤ 3 s, brush ≤ 150 ms.
 * Run: `npm run bench -- report [--quick] [--trials 100000] [--epochs 20] [--brush-trials 10000] [--reuse DIR]`
 * (`--reuse` measures the two HTML files an earlier run left in DIR again, in the browser only).
 * Writes results/bench/report.json; the report files go to a temp folder.
 */
import { statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createRng } from '../../src/core/rng.js';
import type { StudyRecord } from '../../src/core/types.js';
import { loadReportData, renderPage } from '../../src/report/index.js';
import type { SearchSpace } from '../../src/space/types.js';
import { openStorage, type Storage } from '../../src/storage/index.js';
import { launchBrowser } from '../../test/helpers/browser.js';
import { fmt, median, printTable, tempDir, writeResult } from './lib/common.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    trials: { type: 'string' },
    epochs: { type: 'string', default: '20' },
    'brush-trials': { type: 'string' },
    /** Measure reports written by an earlier run (its temp folder) in the browser only: no generation, no build. */
    reuse: { type: 'string' },
  },
});
const QUICK = args.quick;
const TRIALS = Number(args.trials ?? (QUICK ? 2000 : 100_000));
const EPOCHS = Number(args.epochs);
const BRUSH_TRIALS = Number(args['brush-trials'] ?? (QUICK ? 1000 : 10_000));
const BRUSHES = 7;
const WORKERS = 8;
const dir = tempDir('report');

function space(name: string, trials: number): SearchSpace {
  return {
    name,
    objective: { metric: 'val_accuracy', direction: 'maximize' },
    task: { data: { builtin: 'mnist' }, validationSplit: 0.2, model: { type: 'mlp', hidden: [64] }, optimizer: 'adam', epochs: EPOCHS },
    params: {
      learningRate: { type: 'float', min: 1e-5, max: 1e-1, log: true },
      units: { type: 'int', min: 8, max: 512, log: true, step: 1 },
      dropout: { type: 'float', min: 0, max: 0.6, log: false },
      optimizer: { type: 'categorical', values: ['adam', 'sgd', 'rmsprop'] },
    },
    strategy: { type: 'random', trials },
    seed: 3,
  };
}

/**
 * Writes the study trial by trial as a sweep would (create, claim, one report per epoch, finish) on a pinned clock:
 * WORKERS slots, 2 simulated seconds per epoch; 3 % fail at epoch 1.
 */
async function generate(name: string, trials: number): Promise<{ storage: Storage; study: StudyRecord; seconds: number }> {
  let now = Date.parse('2026-02-01T00:00:00Z');
  const storage = openStorage(':memory:', { now: () => new Date(now) });
  const s = space(name, trials);
  const created = await storage.openStudy({ name, space: { bench: true }, direction: 'maximize', metric: 'val_accuracy', strategy: 'random', seed: 3 });
  await storage.setStudyDefinition(created.id, s);
  const rng = createRng(9);
  const free = new Array<number>(WORKERS).fill(now);
  const t0 = performance.now();
  for (let n = 0; n < trials; n++) {
    const lr = 10 ** (-5 + 4 * rng());
    const params = { learningRate: lr, units: Math.round(8 * 64 ** rng()), dropout: 0.6 * rng(), optimizer: ['adam', 'sgd', 'rmsprop'][Math.floor(3 * rng())]! };
    const slot = free.indexOf(Math.min(...free));
    now = free[slot]!;
    const trial = await storage.createTrial(created.id, { params, budget: EPOCHS, seed: n });
    await storage.claimTrial(trial.id, 'bench-host:1');
    const fails = rng() < 0.03;
    const top = 0.97 - 0.05 * (Math.log10(lr) + 2.5) ** 2 - 0.05 * params.dropout;
    let v = 0;
    for (let e = 1; e <= (fails ? 1 : EPOCHS); e++) {
      now += 2000;
      v = top * (1 - Math.exp(-e / 4)) + 0.01 * (rng() - 0.5);
      await storage.report(trial.id, e, { val_accuracy: v, loss: 1 - v }, v);
    }
    await storage.finishTrial(trial.id, fails ? { state: 'failed', epochs: 1, error: { kind: 'nan', message: 'loss became NaN' } } : { state: 'complete', epochs: EPOCHS, value: v });
    free[slot] = now + 100;
  }
  return { storage, study: (await storage.getStudy(name))!, seconds: (performance.now() - t0) / 1000 };
}

/** Build as `tune report` does: read the study (and its importance), render the page, write the file. */
async function build(storage: Storage, study: StudyRecord): Promise<{ file: string; loadS: number; renderS: number; totalS: number; cpuS: number; bytes: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const data = await loadReportData(storage, study);
  const t1 = performance.now();
  const html = renderPage({ data });
  const file = join(dir, `${study.name}.html`);
  writeFileSync(file, html);
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  // CPU seconds (user + system, this process) next to wall time: on a shared machine the wall time mostly says how loaded it was.
  return { file, loadS: (t1 - t0) / 1000, renderS: (t2 - t1) / 1000, totalS: (t2 - t0) / 1000, cpuS: (cpu.user + cpu.system) / 1e6, bytes: statSync(file).size };
}

type Built = Awaited<ReturnType<typeof build>>;
let built: Built;
let brushBuilt: Built;
let generateSeconds = 0;
if (args.reuse !== undefined) {
  const reused = (name: string): Built => {
    const file = join(args.reuse!, `${name}.html`);
    return { file, loadS: Number.NaN, renderS: Number.NaN, totalS: Number.NaN, cpuS: Number.NaN, bytes: statSync(file).size };
  };
  built = reused('bench-report');
  brushBuilt = reused('bench-brush');
} else {
  process.stdout.write(`generating ${TRIALS.toLocaleString('en')} trials × ${EPOCHS} epochs through Storage…\n`);
  const big = await generate('bench-report', TRIALS);
  generateSeconds = big.seconds;
  process.stdout.write(`  ${fmt(big.seconds)} s\n`);
  built = await build(big.storage, big.study);
  await big.storage.close();
  const small = await generate('bench-brush', BRUSH_TRIALS);
  brushBuilt = await build(small.storage, small.study);
  await small.storage.close();
}

const browser = await launchBrowser();
const paint: { firstChartMs: number; readyMs: number }[] = [];
for (let run = 0; run < (QUICK ? 1 : 3); run++) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.route('**', (r) => (r.request().url().startsWith('file://') ? r.continue() : r.abort()));
  await page.goto(pathToFileURL(built.file).href, { timeout: 300_000 });
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 300_000 });
  paint.push(await page.evaluate(() => window.tuneReport!.timings));
  await page.close();
}

const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
await page.goto(pathToFileURL(brushBuilt.file).href, { timeout: 300_000 });
await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 300_000 });
const brushes = await page.evaluate(async (count) => {
  const el = document.querySelector<HTMLElement>('#view-parallel .chart')!;
  const chart = (window as unknown as { echarts: { getInstanceByDom(e: HTMLElement): { dispatchAction(a: unknown): void } } }).echarts.getInstanceByDom(el);
  const out: { totalMs: number; filterMs: number; settledMs: number; selected: number; parts: Record<string, number> }[] = [];
  for (let k = 0; k < count; k++) {
    const lo = 0.3 + 0.05 * k;
    const t0 = performance.now();
    chart.dispatchAction({ type: 'axisAreaSelect', parallelAxisId: 'pa-4', intervals: [[lo, lo + 0.4]] });
    const dispatchMs = performance.now() - t0;
    // The page filters in the frame after the event and paints; then a task after that paint (no named helper:
    // tsx would wrap it in __name, which the page doesn't have).
    for (let f = 0; f < 1; f++) await new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const totalMs = performance.now() - t0;
    while (document.body.dataset.brushSettled === undefined) await new Promise((r) => setTimeout(r, 5));
    out.push({ totalMs, filterMs: window.tuneReport!.lastBrushMs, settledMs: performance.now() - t0, selected: Number(document.body.dataset.brushed), parts: { dispatch: dispatchMs, ...window.tuneReport!.lastBrushViews } });
  }
  return out;
}, BRUSHES);
await browser.close();

const firstPaint = median(paint.map((p) => p.firstChartMs)) / 1000;
const ready = median(paint.map((p) => p.readyMs)) / 1000;
const brushMs = median(brushes.map((b) => b.totalMs));
const filterMs = median(brushes.map((b) => b.filterMs));
const settledMs = median(brushes.map((b) => b.settledMs));
const rows = [
  ...(args.reuse !== undefined ? [] : [['build (read + importance + render + write)', `${fmt(built.totalS)} s`, '≤ 15 s', `${fmt(built.cpuS)} CPU s; read ${fmt(built.loadS)} s, render ${fmt(built.renderS)} s`]]),
  ['file size', `${fmt(built.bytes / 1e6)} MB`, '≤ 25 MB', `${TRIALS.toLocaleString('en')} trials × ${EPOCHS} epochs`],
  ['first chart painted', `${fmt(firstPaint)} s`, '≤ 3 s', `every view drawn at ${fmt(ready)} s (median of ${paint.length})`],
  [`brush, ${BRUSH_TRIALS.toLocaleString('en')} lines`, `${fmt(brushMs)} ms`, '≤ 150 ms', `lines, table and history painted; filter ${fmt(filterMs)} ms; median of ${BRUSHES}`],
  ['brush, every chart redrawn', `${fmt(settledMs)} ms`, '–', 'curves, slices, contour, timeline follow one per task'],
];
printTable(['measure', 'result', 'target', 'notes'], rows);
process.stdout.write(`load average during the run: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (1, 5, 15 min)\n`);
const file = writeResult('report', {
  quick: QUICK, trials: TRIALS, epochs: EPOCHS, brushTrials: BRUSH_TRIALS, reused: args.reuse ?? null, generateSeconds,
  build: built, brushBuild: brushBuilt, paint, brushes, firstPaintSeconds: firstPaint, readySeconds: ready, brushMedianMs: brushMs, brushSettledMedianMs: settledMs, loadavg: loadavg(),
});
process.stdout.write(`wrote ${file}\n`);
