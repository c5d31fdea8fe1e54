import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STRATEGY_TYPES } from '../../src/space/index.js';
import { createStrategy, defaultTrialCount, fullBudget, GridStrategy, HyperbandStrategy, STRATEGY_DEFINITIONS } from '../../src/strategies/index.js';
import { PINNED, pinnedSpace } from '../space/pinned-strategies.js';

describe('strategy registry', () => {
  it('has one definition per strategy type', () => {
    assert.deepEqual(Object.keys(STRATEGY_DEFINITIONS).sort(), [...STRATEGY_TYPES].sort());
  });

  it('builds the strategy each type names, and counts its trials as before without building one', () => {
    for (const p of PINNED) {
      const space = pinnedSpace(p.strategy);
      const strategy = createStrategy(space);
      assert.equal(strategy.name, p.name);
      assert.equal(defaultTrialCount(space), p.trials, p.name);
      // The count agrees with what the built strategy would run.
      if (strategy instanceof HyperbandStrategy) assert.equal(defaultTrialCount(space), strategy.totalTrials, p.name);
      if (strategy instanceof GridStrategy) assert.equal(defaultTrialCount(space), strategy.size, p.name);
    }
  });

  it('gives the top rung as the full budget of a multi-fidelity study, task.epochs otherwise', () => {
    const budgets = Object.fromEntries(PINNED.map((p) => [p.name, fullBudget(pinnedSpace(p.strategy))]));
    assert.deepEqual(budgets, { random: 9, grid: 9, 'successive-halving': 27, hyperband: 16, asha: 64, tpe: 9, bohb: 27 });
  });
});
