import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GridStrategy } from '../../src/strategies/grid.js';
import { paramsKey } from '../../src/space/grid.js';
import type { TrialRecord } from '../../src/core/types.js';
import { record, space } from '../helpers/records.js';

const gridSpace = space({
  params: {
    learningRate: { type: 'categorical', values: [0.001, 0.01, 0.1] },
    batchSize: { type: 'categorical', values: [32, 64] },
    decay: { type: 'fixed', value: 0 },
  },
  strategy: { type: 'grid' },
});

function runAll(strategy: GridStrategy, trials: TrialRecord[], maxTrials = 100): TrialRecord[] {
  for (;;) {
    const s = strategy.ask({ trials, sign: 1, maxTrials, valueAt: () => undefined });
    if (s.kind !== 'trial') return trials;
    trials.push(record(trials.length, s.params));
  }
}

test('grid: visits every point exactly once, then is done', () => {
  const strategy = new GridStrategy(gridSpace);
  assert.equal(strategy.size, 6);
  const trials = runAll(strategy, []);
  assert.equal(trials.length, 6);
  assert.equal(new Set(trials.map((t) => paramsKey(t.params))).size, 6);
  for (const t of trials) assert.equal(t.params.decay, 0);
});

test('grid: a resume skips stored points whatever their state, so none runs twice', () => {
  const first = runAll(new GridStrategy(gridSpace), [], 3);
  assert.equal(first.length, 3);
  const stored = first.map((t, i) => ({ ...t, state: i === 0 ? ('failed' as const) : ('complete' as const) }));
  const all = runAll(new GridStrategy(gridSpace), stored);
  assert.equal(all.length, 6);
  assert.equal(new Set(all.map((t) => paramsKey(t.params))).size, 6);
});

test('grid: the visiting order is seeded', () => {
  const order = (seed: number) => runAll(new GridStrategy({ ...gridSpace, seed }), []).map((t) => paramsKey(t.params));
  assert.deepEqual(order(1), order(1));
  assert.notDeepEqual(order(1), order(2));
});
