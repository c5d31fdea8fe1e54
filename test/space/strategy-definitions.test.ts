import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FIDELITY_STRATEGY_TYPES, isFidelityStrategy, rungBudgets, rungLadder, spaceSignature, STRATEGY_SCHEMAS, STRATEGY_SPACES,
  STRATEGY_TYPES, withRungLadder,
} from '../../src/space/index.js';
import { PINNED, pinnedSpace } from './pinned-strategies.js';

describe('strategy definitions (space side)', () => {
  it('has one definition and one schema per strategy type, in STRATEGY_TYPES order', () => {
    assert.deepEqual(Object.keys(STRATEGY_SPACES), [...STRATEGY_TYPES]);
    assert.equal(STRATEGY_SCHEMAS.length, STRATEGY_TYPES.length);
    STRATEGY_SCHEMAS.forEach((schema, i) => assert.equal(schema, STRATEGY_SPACES[STRATEGY_TYPES[i]!].schema));
  });

  it('a type is multi-fidelity exactly when its definition says so', () => {
    assert.deepEqual([...FIDELITY_STRATEGY_TYPES], ['successive-halving', 'hyperband', 'asha', 'bohb']);
    assert.equal(PINNED.length, STRATEGY_TYPES.length);
    for (const p of PINNED) assert.equal(isFidelityStrategy(pinnedSpace(p.strategy).strategy), STRATEGY_SPACES[p.name as keyof typeof STRATEGY_SPACES].fidelity, p.name);
  });

  it('normalises every type to the stored definition and signature that earlier versions wrote, key order included', () => {
    assert.deepEqual(PINNED.map((p) => p.name), [...STRATEGY_TYPES]);
    for (const p of PINNED) {
      const s = pinnedSpace(p.strategy);
      assert.equal(JSON.stringify(s), JSON.stringify(p.definition), p.name);
      assert.equal(spaceSignature(s), p.signature, p.name);
    }
  });
});

describe('rung budgets derived once, at normalisation', () => {
  it('a normalised multi-fidelity spec carries its budgets, hidden from JSON, keys and equality', () => {
    for (const p of PINNED) {
      const { strategy } = pinnedSpace(p.strategy);
      if (!isFidelityStrategy(strategy)) {
        assert.equal('budgets' in strategy, false, p.name);
        continue;
      }
      assert.deepEqual(strategy.budgets, rungBudgets(strategy), p.name);
      assert.ok(Object.isFrozen(strategy.budgets), p.name);
      assert.equal(rungLadder(strategy), strategy.budgets, `${p.name}: read, not computed again`);
      assert.equal(Object.keys(strategy).includes('budgets'), false, p.name);
      assert.equal(JSON.stringify(strategy).includes('budgets'), false, p.name);
    }
  });

  it('a spec read back from JSON gets them again, and a spec built in code computes them', () => {
    const { strategy } = pinnedSpace({ type: 'hyperband', maxEpochs: 27 });
    const stored = JSON.parse(JSON.stringify(strategy)) as typeof strategy;
    assert.ok(isFidelityStrategy(stored));
    assert.equal(stored.budgets, undefined);
    const again = withRungLadder(stored);
    assert.ok(isFidelityStrategy(again));
    assert.deepEqual(again.budgets, [1, 3, 9, 27]);
    assert.deepEqual(again, stored);
    assert.equal(stored.budgets, undefined, 'the stored spec itself is left as it was');
    assert.deepEqual(rungLadder({ eta: 2, minEpochs: 1, maxEpochs: 8 }), [1, 2, 4, 8]);
  });
});
