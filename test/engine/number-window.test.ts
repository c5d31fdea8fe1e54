/**
 * Tuners racing for the next trial number (issue 13 §8): two views of one study read at the same moment. A random
 * (or TPE, ASHA) tuner that has seen another tuner's trials offers a window of numbers, each with the config drawn
 * for it, so the later create takes the next number instead of a ConflictError; the trial at number n is still
 * n's config with n's seed and key `#n`. A grid tuner's next point depends on the whole view: its create on a stale
 * view is still a ConflictError. Two storages on one SQLite file, as two processes would have.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConflictError } from '../../src/core/errors.js';
import { studyStreams } from '../../src/core/rng-streams.js';
import { refreshBook, storeSuggested, type DispatchScope } from '../../src/engine/dispatch.js';
import { openStudyFor } from '../../src/engine/run-sweep.js';
import { TrialBook } from '../../src/engine/trial-book.js';
import type { SearchSpace } from '../../src/space/types.js';
import { SqliteStorage } from '../../src/storage/index.js';
import { randomConfig } from '../../src/strategies/sampling.js';
import { createStrategy } from '../../src/strategies/index.js';
import { space } from '../helpers/records.js';

const dir = mkdtempSync(join(tmpdir(), 'tune-window-'));

async function twoTuners(file: string, s: SearchSpace, maxTrials = 20): Promise<[DispatchScope, DispatchScope]> {
  const scopes: DispatchScope[] = [];
  for (let i = 0; i < 2; i++) {
    const storage = SqliteStorage.open(file);
    const study = await openStudyFor(storage, s);
    const scope = { space: s, study, storage, strategy: createStrategy(s), book: new TrialBook([], new Map(), study.direction, maxTrials) };
    await refreshBook(scope);
    scopes.push(scope);
  }
  return scopes as [DispatchScope, DispatchScope];
}

/** Asks the scope's strategy and stores its new trial. */
async function askAndStore(scope: DispatchScope, owner: string) {
  const s = scope.strategy.ask(scope.book.context());
  assert.equal(s.kind, 'trial');
  return storeSuggested(scope, s as Extract<typeof s, { kind: 'trial' }>, owner);
}

test('random: a tuner whose view is behind takes the next free number, with that number’s config, seed and key', async () => {
  const s = space({ strategy: { type: 'random', trials: 20 } });
  const [a, b] = await twoTuners(join(dir, 'random.db'), s);
  await askAndStore(a, 'a');
  await refreshBook(b); // b sees a's trial: the study is shared
  assert.equal(b.book.shared, true);
  assert.equal(a.book.shared, false);
  // Both views now end at #0; a stores #1 first, then b asks on its view (it drew for #1) and stores.
  await askAndStore(a, 'a');
  const late = await askAndStore(b, 'b');
  assert.equal(late.number, 2);
  assert.deepEqual(late.params, randomConfig(s, 2));
  assert.equal(late.seed, studyStreams.trialSeed(s.seed, 2));
  const stored = await a.storage.trials(a.study.id);
  assert.deepEqual(stored.map((t) => [t.number, t.worker]), [[0, 'a'], [1, 'a'], [2, 'b']]);
  for (const t of stored) {
    assert.deepEqual(t.params, randomConfig(s, t.number), `trial #${t.number} has its own number's config`);
    assert.equal(t.seed, studyStreams.trialSeed(s.seed, t.number));
  }
  // The key is still the number: no config of one number is created twice.
  const row = SqliteStorage.open(join(dir, 'random.db'));
  await assert.rejects(row.createTrial(a.study.id, { params: randomConfig(s, 2), budget: 3, seed: 1, key: '#2' }), ConflictError);
  await Promise.all([a.storage.close(), b.storage.close(), row.close()]);
});

test('random: the window stops at the trial cap, so a view behind at the cap is a ConflictError', async () => {
  const s = space({ strategy: { type: 'random', trials: 2 } });
  const [a, b] = await twoTuners(join(dir, 'cap.db'), s, 2);
  await askAndStore(a, 'a');
  await refreshBook(b);
  await askAndStore(a, 'a'); // #1: the study is at its cap of 2
  await assert.rejects(askAndStore(b, 'b'), ConflictError);
  assert.equal((await a.storage.trials(a.study.id)).length, 2);
  await Promise.all([a.storage.close(), b.storage.close()]);
});

test('grid: a create on a stale view is still a ConflictError (its point depends on every trial before it)', async () => {
  const s = space({
    strategy: { type: 'grid', trials: 20 },
    params: { learningRate: { type: 'categorical', values: [0.1, 0.01, 0.001] }, batchSize: { type: 'categorical', values: [32, 64] } },
  });
  const [a, b] = await twoTuners(join(dir, 'grid.db'), s);
  await askAndStore(a, 'a');
  await refreshBook(b);
  assert.equal(b.book.shared, true);
  await askAndStore(a, 'a');
  await assert.rejects(askAndStore(b, 'b'), ConflictError);
  await refreshBook(b);
  const third = await askAndStore(b, 'b');
  const points = (await a.storage.trials(a.study.id)).map((t) => JSON.stringify(t.params));
  assert.equal(third.number, 2);
  assert.equal(new Set(points).size, 3, 'no grid point twice');
  await Promise.all([a.storage.close(), b.storage.close()]);
});
