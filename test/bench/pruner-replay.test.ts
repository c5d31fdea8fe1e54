/** The pruner benchmark's replay (scripts/bench/lib/pruner-replay.ts) runs the real pruner one trial after another. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replayPruner } from '../../scripts/bench/lib/pruner-replay.js';

test('a replayed median pruner stops trials where a one-worker sweep would, and never at the budget', () => {
  const curves = [
    { number: 0, budget: 3, state: 'complete', curve: [0.5, 0.6, 0.7] },
    { number: 1, budget: 3, state: 'complete', curve: [0.4, 0.9, 0.99] }, // below trial 0 at epoch 1
    { number: 2, budget: 3, state: 'complete', curve: [0.8, 0.9, 0.95] },
    { number: 3, budget: 3, state: 'complete', curve: [0.6, 0.62, 0.1] }, // above the median (0.5) at 1; below the median (0.75) of trials 0 and 2 at 2
    { number: 4, budget: 3, state: 'failed', curve: [0.1] },
  ];
  const r = replayPruner(curves, { type: 'median', startup: 1, warmup: 0, interval: 1, minTrials: 1 }, 1);
  assert.deepEqual(r.stoppedAt, [null, 1, null, 2, null]);
  assert.equal(r.epochs, 3 + 1 + 3 + 2 + 1);
  assert.equal(r.pruned, 2);
  assert.equal(r.best, 0.95, 'trial 1 would have reached 0.99, but it was pruned');
  const none = replayPruner(curves, { type: 'threshold', lower: 0, warmup: 0, interval: 1 }, 1);
  assert.equal(none.epochs, 3 * 4 + 1);
  assert.equal(none.best, 0.99);
});
