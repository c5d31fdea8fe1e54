/**
 * The leaderboard's tie-break, part of the storage contract: equal values rank by the trial's loss (val_loss for
 * val_accuracy, loss for accuracy), lower first, at the epoch that gave the trial its value; then by number.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Metrics, StudySpec } from '../../src/core/types.js';
import type { Storage } from '../../src/storage/types.js';
import { newTrial, spec, storageTest, type MakeStorage } from './helpers.js';

/** A study spec whose stored space says `objective.reduce` (as `studySpec` stores a space). */
const withReduce = (reduce: 'last' | 'best', over: Partial<StudySpec> = {}): StudySpec =>
  spec({ space: { signature: { objective: { metric: 'val_accuracy', direction: 'maximize', ...(reduce === 'best' ? { reduce } : {}) } }, seed: 1 }, ...over });

/** A complete trial that reported `epochs` (each epoch's metrics) and was stored with `value`. */
async function trial(s: Storage, studyId: number, metric: string, epochs: readonly Metrics[], value: number): Promise<number> {
  const t = await s.createTrial(studyId, newTrial({ budget: epochs.length }));
  assert.equal(await s.claimTrial(t.id, 'w'), true);
  for (const [i, m] of epochs.entries()) await s.report(t.id, i + 1, m, m[metric]!);
  await s.finishTrial(t.id, { state: 'complete', epochs: epochs.length, value });
  return t.number;
}

export function tiesContract(name: string, makeStorage: MakeStorage): void {
  const withStorage = storageTest(makeStorage);

  describe(`Storage contract, leaderboard ties: ${name}`, () => {
    test('reduce last: equal val_accuracy ranks by the last epoch\'s val_loss, lower first; without one, after; then by number', withStorage(async (s) => {
      const st = await s.openStudy(withReduce('last'));
      const acc = (a: number, l?: number): Metrics => ({ val_accuracy: a, ...(l !== undefined ? { val_loss: l } : {}) });
      const n0 = await trial(s, st.id, 'val_accuracy', [acc(1, 0.01), acc(1, 0.4)], 1); // its early epoch's low loss doesn't count
      const n1 = await trial(s, st.id, 'val_accuracy', [acc(0.9, 0.5), acc(1, 0.1)], 1);
      const n2 = await trial(s, st.id, 'val_accuracy', [acc(0.9), acc(1)], 1); // no val_loss
      const n3 = await trial(s, st.id, 'val_accuracy', [acc(0.5, 0.9), acc(0.95, 0.001)], 0.95);
      const n4 = await trial(s, st.id, 'val_accuracy', [acc(0.7, 0.3), acc(1, 0.1)], 1); // same loss as n1: by number
      const board = await s.leaderboard(st.id, Infinity);
      assert.deepEqual(board.map((r) => r.trial.number), [n1, n4, n0, n2, n3]);
    }));

    test('reduce best: the loss of the best epoch counts (the lowest of equal best epochs)', withStorage(async (s) => {
      const st = await s.openStudy(withReduce('best'));
      const acc = (a: number, l: number): Metrics => ({ val_accuracy: a, val_loss: l });
      const n0 = await trial(s, st.id, 'val_accuracy', [acc(1, 0.3), acc(0.9, 0.01)], 1);
      const n1 = await trial(s, st.id, 'val_accuracy', [acc(1, 0.5), acc(1, 0.2), acc(0.8, 0.001)], 1);
      const board = await s.leaderboard(st.id, Infinity);
      assert.deepEqual(board.map((r) => r.trial.number), [n1, n0]);
    }));

    test('accuracy ties by loss; a metric that is no accuracy ties by trial number only', withStorage(async (s) => {
      const a = await s.openStudy(withReduce('last', { name: 'train-acc', metric: 'accuracy' }));
      const m0 = await trial(s, a.id, 'accuracy', [{ accuracy: 1, loss: 0.2, val_loss: 0.01 }], 1);
      const m1 = await trial(s, a.id, 'accuracy', [{ accuracy: 1, loss: 0.1, val_loss: 0.9 }], 1);
      assert.deepEqual((await s.leaderboard(a.id, Infinity)).map((r) => r.trial.number), [m1, m0]);

      const b = await s.openStudy(withReduce('last', { name: 'score', metric: 'score' }));
      const k0 = await trial(s, b.id, 'score', [{ score: 3, loss: 0.9, val_loss: 0.9 }], 3);
      const k1 = await trial(s, b.id, 'score', [{ score: 3, loss: 0.1, val_loss: 0.1 }], 3);
      assert.deepEqual((await s.leaderboard(b.id, Infinity)).map((r) => r.trial.number), [k0, k1]);
    }));
  });
}
