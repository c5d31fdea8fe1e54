/** A pruner with the ask-and-tell API: report() answers 'stop' and shouldPrune() is true, as Optuna's trial.should_prune(). */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStudy } from '../../src/index.js';
import { tempDir, writeJson } from '../helpers/cli.js';

test('ask/tell with a median pruner: a trial below the median is told to stop, and its tell() stores it pruned with its curve', async () => {
  const dir = tempDir();
  const file = join(dir, 'space.json');
  writeJson(file, {
    name: 'curves',
    objective: { metric: 'error', direction: 'minimize' },
    task: { epochs: 5 },
    params: { x: { type: 'float', min: 0, max: 1 } },
    strategy: { type: 'random', trials: 6 },
    pruner: { type: 'median', startup: 2, warmup: 1 },
    seed: 2,
  });
  const study = await openStudy(file, { storage: join(dir, 'tune.db') });
  try {
    // The error of trial i is the same at every step: trials 0–2 at 1, 2, 3; trial 3 at 0.5; trial 4 at 9.
    const errors = [1, 2, 3, 0.5, 9];
    const outcomes: { state: string; epochs: number; prunedAt: number | null }[] = [];
    for (const error of errors) {
      const t = await study.ask();
      let prunedAt: number | null = null;
      for (let step = 1; step <= t.budget; step++) {
        const decision = await study.report(t, step, error);
        assert.equal(study.shouldPrune(t), decision === 'stop');
        if (study.shouldPrune(t)) {
          prunedAt = step;
          break;
        }
      }
      const told = await study.tell(t, error);
      outcomes.push({ state: told.state, epochs: told.epochs, prunedAt });
    }
    assert.deepEqual(outcomes, [
      { state: 'complete', epochs: 5, prunedAt: null }, // startup
      { state: 'complete', epochs: 5, prunedAt: null }, // startup
      { state: 'pruned', epochs: 2, prunedAt: 2 }, // 3 is worse than the median 1.5 of 1 and 2, checked after the warmup
      { state: 'complete', epochs: 5, prunedAt: null }, // 0.5 beats every other trial
      { state: 'pruned', epochs: 2, prunedAt: 2 },
    ]);
    const stored = await study.trials();
    assert.equal(stored[2]!.state, 'pruned');
    assert.equal(stored[2]!.value, 3, 'a pruned trial keeps its last value');
    assert.equal((await study.best())?.number, 3);
  } finally {
    await study.close();
  }
});
