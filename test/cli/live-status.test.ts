/** The live status table's arithmetic: counts, ETA from epochs against the budget (refined as trials end), samples/s. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TrialRecord } from '../../src/core/types.js';
import type { SweepEvent, SweepProgress } from '../../src/engine/index.js';
import { planSweep } from '../../src/engine/index.js';
import { renderStatus, plain, ansi } from '../../src/cli/live/render.js';
import { SweepStatus } from '../../src/cli/live/status.js';
import { record, space } from '../helpers/records.js';

const trial = (n: number, over: Partial<TrialRecord> = {}): TrialRecord => ({ ...record(n, { x: n }, 'running'), epochs: 0, budget: 4, ...over });
const progress = (best: TrialRecord | null): SweepProgress => ({ finished: 0, running: 0, maxTrials: 3, best, elapsedMs: 0 });
const start = {
  type: 'start', study: { id: 1, name: 's', space: {}, definition: null, direction: 'minimize', metric: 'loss', strategy: 'random', seed: 0, backend: null, createdAt: '', updatedAt: '' },
  backend: { backend: 'wasm', warnings: [] }, workers: 2, maxTrials: 3, existing: 0,
} as unknown as SweepEvent;

test('the ETA is the epochs left at this run\'s speed, and shrinks when a trial ends short of its budget', () => {
  const s = new SweepStatus(12, 'loss', 0); // 3 trials x 4 epochs
  s.apply(start, 1000);
  s.apply({ type: 'trial-start', trial: trial(0) }, 1000);
  s.apply({ type: 'trial-start', trial: trial(1) }, 1000);
  assert.equal(s.etaMs(1000), null, 'no ETA before the first epoch');
  for (const n of [0, 1]) s.apply({ type: 'epoch', trial: trial(n, { epochs: 1, value: 0.5 }), epoch: 1, metrics: { loss: 0.5 }, value: 0.5 }, 3000);
  // 2 epochs in 2 s since the start event; 10 left: 10 s.
  assert.equal(s.etaMs(3000), 10_000);
  const failed = trial(1, { state: 'failed', epochs: 1, value: 0.5, error: { kind: 'exception', message: 'boom' } });
  s.apply({ type: 'trial-end', trial: failed, outcome: { state: 'failed', epochs: 1 }, progress: progress(null) }, 3000);
  // Trial 1 left 3 of its 4 epochs untrained: 12 - 3 = 9 expected, 7 left at 1 epoch/s.
  assert.equal(s.expectedEpochs(), 9);
  assert.equal(s.etaMs(3000), 7_000);
  assert.deepEqual(s.counts(), { waiting: 0, running: 1, paused: 0, complete: 0, pruned: 0, failed: 1 });
});

test('samples/s comes from the finished trials\' samples per epoch, over this run\'s epochs', () => {
  const s = new SweepStatus(8, 'loss', 0);
  s.apply(start, 0);
  s.apply({ type: 'trial-start', trial: trial(0) }, 0);
  assert.equal(s.samplesPerSecond(1000), null);
  const done = trial(0, { state: 'complete', epochs: 4, value: 0.1 });
  // 4 epochs of 800 samples, trained in 2 s of training steps: 1600 samples/s in the worker.
  const outcome = { state: 'complete', epochs: 4, diagnostics: { samplesPerSecond: 1600, trainSeconds: 2 } } as const;
  s.apply({ type: 'trial-end', trial: done, outcome, progress: progress(done) }, 4000);
  assert.equal(s.samplesPerSecond(4000), (4 * 800) / 4);
});

test('stored trials of a continued study count by state but not towards this run\'s speed', () => {
  const s = new SweepStatus(12, 'loss', 0);
  s.seed([trial(0, { state: 'complete', epochs: 4, value: 0.2 }), trial(1, { state: 'failed', epochs: 2 })]);
  s.apply(start, 0);
  s.apply({ type: 'trial-start', trial: trial(2) }, 0);
  s.apply({ type: 'epoch', trial: trial(2, { epochs: 1, value: 1 }), epoch: 1, metrics: { loss: 1 }, value: 1 }, 1000);
  // Expected 12 - 2 (the failed one's) = 10; done 4 + 2 + 1 = 7; 1 epoch/s this run: 3 s.
  assert.equal(s.etaMs(1000), 3000);
  assert.deepEqual(s.counts(), { waiting: 0, running: 1, paused: 0, complete: 1, pruned: 0, failed: 1 });
});

test('the table shows counts, best with params, a row per running trial; colour only on states', () => {
  const s = new SweepStatus(12, 'loss', 0);
  s.apply(start, 0);
  s.apply({ type: 'trial-start', trial: trial(0) }, 0);
  s.apply({ type: 'epoch', trial: trial(0, { epochs: 2, value: 0.25 }), epoch: 2, metrics: { loss: 0.25 }, value: 0.25 }, 2000);
  const best = trial(1, { state: 'complete', epochs: 4, value: 0.125 });
  s.apply({ type: 'trial-end', trial: best, outcome: { state: 'complete', epochs: 4 }, progress: progress(best) }, 2000);
  const lines = renderStatus(s, 3000, plain, 200);
  const text = lines.join('\n');
  assert.match(text, /1 running, 1 complete/);
  assert.match(text, /best #1 loss=0\.125 {2}x=1/);
  assert.match(text, /#0\s+2\/4\s+-\s+0\.25\s+3s\s+x=0/);
  assert.match(text, /ETA \d+s/);
  assert.doesNotMatch(text, /\x1b/);
  const coloured = renderStatus(s, 3000, ansi, 200);
  const escapes = coloured.join('\n').match(/\x1b\[\d+m[^\x1b]*\x1b\[0m/g) ?? [];
  assert.deepEqual(escapes.map((e) => e.replace(/\x1b\[\d+m/g, '')), ['1 running', '1 complete']);
  assert.ok(renderStatus(s, 3000, plain, 30).every((l) => l.length <= 30), 'lines are cut to the terminal width');
});

test('planSweep counts the epochs successive halving trains, promoted trials continuing from checkpoints', () => {
  const sha = space({ strategy: { type: 'successive-halving', eta: 3, minEpochs: 1, maxEpochs: 9, trials: 9 } });
  // 9 configs x 1 epoch, 3 go on for 2 more, 1 for 6 more.
  assert.equal(planSweep(sha).epochBudget, 9 * 1 + 3 * 2 + 1 * 6);
  assert.deepEqual(planSweep(sha).rungs, [1, 3, 9]);
  assert.equal(planSweep(space()).epochBudget, 5 * 3);
  assert.equal(planSweep(space(), 8).epochBudget, 8 * 3);
  const grid = space({ params: { a: { type: 'categorical', values: [1, 2, 3] }, b: { type: 'int', min: 1, max: 4, log: false, step: 1 } }, strategy: { type: 'grid' } });
  assert.deepEqual(planSweep(grid).grid, { size: 12 });
  assert.equal(planSweep(space()).grid.size, null);
});
