/** A custom objective under successive halving: paused at each rung end, resumed from its own checkpoint. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runSweep } from '../../src/engine/index.js';
import { openStorage } from '../../src/storage/index.js';
import { tempDir, writeJson } from '../helpers/cli.js';
import { moduleFixture } from './helpers.js';

test('promoted trials continue from the step and state they saved with trial.checkpoint()', async () => {
  const dir = tempDir();
  const db = join(dir, 'tune.db');
  writeJson(join(dir, 'space.json'), {
    name: 'counter-sha',
    objective: { metric: 'score', direction: 'maximize' },
    task: { module: moduleFixture('counter.mjs'), epochs: 9 },
    params: { q: { type: 'float', min: 0, max: 1 } },
    strategy: { type: 'successive-halving', eta: 3, minEpochs: 1, maxEpochs: 9, trials: 9 },
    seed: 2,
  });
  const result = await runSweep(join(dir, 'space.json'), { storage: db, workers: 2, backend: 'wasm' });
  assert.equal(result.trials.length, 9);

  const storage = openStorage(db);
  try {
    const trials = await storage.trials(result.study.id);
    assert.deepEqual([0, 1, 2].map((k) => trials.filter((t) => (t.rung ?? 0) >= k).length), [9, 3, 1]);
    for (const t of trials) {
      assert.equal(t.state, t.rung === 2 ? 'complete' : 'pruned', `trial ${t.number}: ${t.error?.message ?? ''}`);
      const reports = await storage.reports(t.id);
      assert.deepEqual(reports.map((r) => r.epoch), Array.from({ length: t.epochs }, (_, i) => i + 1), 'every step once');
      // count is the steps really run, carried in the checkpoint: equal to the step only if no step ran twice.
      for (const r of reports) assert.equal(r.metrics['count'], r.epoch, `trial ${t.number} step ${r.epoch}`);
      // Each rung is one more run, which starts where the last rung ended (budgets 1, 3, 9).
      for (const r of reports) {
        const rung = r.epoch <= 1 ? 0 : r.epoch <= 3 ? 1 : 2;
        assert.deepEqual([r.metrics['runs'], r.metrics['startStep']], [rung + 1, [0, 1, 3][rung]], `trial ${t.number} step ${r.epoch}`);
      }
    }
    const best = trials.find((t) => t.rung === 2)!;
    assert.equal(best.value, Math.max(...trials.map((t) => t.params['q'] as number)) * 0.9, 'the highest q wins and reaches step 9');
  } finally {
    await storage.close();
  }
  const ckpts = join(dir, 'checkpoints', 'counter-sha');
  assert.deepEqual(existsSync(ckpts) ? readdirSync(ckpts) : [], [], 'finished trials leave no checkpoints behind');
});
