import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RandomStrategy } from '../../src/strategies/random.js';
import type { StrategyContext, Suggestion } from '../../src/strategies/types.js';
import type { TrialRecord } from '../../src/core/types.js';
import { record, space } from '../helpers/records.js';

function drive(strategy: RandomStrategy, maxTrials: number, stored: TrialRecord[] = []): Suggestion[] {
  const trials = [...stored];
  const out: Suggestion[] = [];
  for (;;) {
    const ctx: StrategyContext = { trials, sign: 1, maxTrials, valueAt: () => undefined };
    const s = strategy.ask(ctx);
    out.push(s);
    if (s.kind !== 'trial') return out;
    trials.push(record(trials.length, s.params));
  }
}

test('random: the same seed gives the same configs, another seed different ones', () => {
  const a = drive(new RandomStrategy(space()), 6);
  const b = drive(new RandomStrategy(space()), 6);
  const c = drive(new RandomStrategy(space({ seed: 8 })), 6);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.equal(a.filter((s) => s.kind === 'trial').length, 6);
  assert.equal(a.at(-1)?.kind, 'done');
});

test('random: a resumed study continues the same sequence instead of restarting it', () => {
  const full = drive(new RandomStrategy(space()), 6).filter((s) => s.kind === 'trial');
  const firstThree = full.slice(0, 3).map((s, i) => record(i, s.kind === 'trial' ? s.params : {}));
  const resumed = drive(new RandomStrategy(space()), 6, firstThree).filter((s) => s.kind === 'trial');
  assert.deepEqual(resumed, full.slice(3));
});

test('random: suggestions carry the task budget and stay inside the space', () => {
  for (const s of drive(new RandomStrategy(space()), 50)) {
    if (s.kind !== 'trial') continue;
    assert.equal(s.budget, 3);
    const lr = s.params.learningRate as number;
    assert.ok(lr >= 1e-4 && lr <= 1e-1, `learningRate ${lr} out of bounds`);
    assert.ok([32, 64].includes(s.params.batchSize as number));
  }
});
