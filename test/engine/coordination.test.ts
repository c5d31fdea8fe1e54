/**
 * The engine's side of sharing a study (issue 13 §3), in one process with two storages on one SQLite file: each
 * view folds in the other's writes incrementally, and a decision taken on a stale view is a ConflictError.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConflictError } from '../../src/core/errors.js';
import { pruneTrial, refreshBook, storeSuggested, type DispatchScope } from '../../src/engine/dispatch.js';
import { openStudyFor } from '../../src/engine/run-sweep.js';
import { TrialBook } from '../../src/engine/trial-book.js';
import { SqliteStorage } from '../../src/storage/index.js';
import type { Storage } from '../../src/storage/types.js';
import { createStrategy } from '../../src/strategies/index.js';
import { space } from '../helpers/records.js';

const dir = mkdtempSync(join(tmpdir(), 'tune-coordination-'));

async function twoTuners(file: string) {
  const s = space({ strategy: { type: 'random', trials: 20 } });
  const scopes: DispatchScope[] = [];
  for (let i = 0; i < 2; i++) {
    const storage: Storage = SqliteStorage.open(file);
    const study = await openStudyFor(storage, s);
    const book = new TrialBook([], new Map(), study.direction, 20);
    const scope = { space: s, study, storage, strategy: createStrategy(s), book };
    await refreshBook(scope);
    scopes.push(scope);
  }
  return scopes as [DispatchScope, DispatchScope];
}

/** A paused trial at budget 1, rung 0, stored by `scope`. */
async function pausedTrial(scope: DispatchScope) {
  const t = await storeSuggested(scope, { kind: 'trial', params: { learningRate: 0.01, batchSize: 32 }, budget: 1, rung: 0 }, 'w');
  await scope.storage.report(t.id, 1, { val_accuracy: 0.5 }, 0.5);
  return scope.book.set(await scope.storage.finishTrial(t.id, { state: 'paused', epochs: 1, checkpoint: 'c' }));
}

test('each refresh folds in only what the other tuner wrote since, and reaches the same view as a full read', async () => {
  const [a, b] = await twoTuners(join(dir, 'views.db'));
  for (let i = 0; i < 3; i++) await storeSuggested(a, { kind: 'trial', params: { learningRate: 0.001 * (i + 1), batchSize: 32 }, budget: 3 }, 'a');
  await a.storage.report(a.book.all()[0]!.id, 1, { val_accuracy: 0.25 }, 0.25);
  const before = b.book.seq;
  await refreshBook(b);
  assert.ok(b.book.seq > before);
  assert.deepEqual(b.book.all().map((t) => [t.number, t.state, t.worker]), [[0, 'running', 'a'], [1, 'running', 'a'], [2, 'running', 'a']]);
  assert.equal(b.book.context().valueAt(b.book.all()[0]!.id, 1), 0.25, "the other tuner's report is in the view");
  // b's next trial takes the next number: it saw a's
  const next = await storeSuggested(b, { kind: 'trial', params: { learningRate: 0.05, batchSize: 64 }, budget: 3 }, 'b');
  assert.equal(next.number, 3);
  const full = new TrialBook(await a.storage.trials(a.study.id), await a.storage.objectiveCurves(a.study.id, a.study.metric), a.study.direction, 20);
  await refreshBook(a);
  assert.deepEqual(a.book.all(), full.all());
  await Promise.all([a.storage.close(), b.storage.close()]);
});

test('a promotion or prune decided on a stale view (the other tuner already moved the trial) is a ConflictError', async () => {
  const [a, b] = await twoTuners(join(dir, 'race.db'));
  const p = await pausedTrial(a);
  await refreshBook(b); // b sees it paused at budget 1
  // a promotes it to 3, runs it, and it pauses again at 3
  await storeSuggested(a, { kind: 'trial', params: p.params, budget: 3, rung: 1, resumeOf: p.id });
  await a.storage.claimTrial(p.id, 'a');
  await a.storage.report(p.id, 3, { val_accuracy: 0.7 }, 0.7);
  await a.storage.finishTrial(p.id, { state: 'paused', epochs: 3, checkpoint: 'c3' });
  // b, not yet refreshed, promotes it to 3 too: storage says the budget must grow; for the engine that is a lost race
  await assert.rejects(storeSuggested(b, { kind: 'trial', params: p.params, budget: 3, rung: 1, resumeOf: p.id }), (e: unknown) => {
    assert.ok(e instanceof ConflictError, String(e));
    assert.match((e as Error).message, /another tuner decided first.*budget must grow past its current 3/);
    return true;
  });
  await a.storage.finishTrial(p.id, { state: 'pruned', epochs: 3 });
  await assert.rejects(pruneTrial(b, p.id), ConflictError, 'pruning a trial the other tuner finished is a lost race too');
  await refreshBook(b);
  assert.equal(b.book.get(p.id)?.state, 'pruned');
  await Promise.all([a.storage.close(), b.storage.close()]);
});
