/** Several tuners on one file: whoever comes second gets a ConflictError, never a duplicate or a lost update. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ConflictError } from '../../src/core/errors.js';
import { SqliteStorage } from '../../src/storage/index.js';
import { newTrial, spec } from './helpers.js';
import { tmpFiles } from './sqlite-helpers.js';

const { file: tmpFile } = tmpFiles('tune-shared-');

/** Two storages on one new file, and the study both opened. */
async function twoTuners() {
  const file = tmpFile();
  const a = SqliteStorage.open(file);
  const b = SqliteStorage.open(file);
  const study = await a.openStudy(spec());
  assert.equal((await b.openStudy(spec())).id, study.id);
  return { a, b, study, close: async () => Promise.all([a.close(), b.close()]) };
}

/** Exactly one of the calls succeeded and every other one failed with a ConflictError. */
function oneWinner<T>(results: readonly PromiseSettledResult<T>[]): T {
  const won = results.filter((r): r is PromiseFulfilledResult<T> => r.status === 'fulfilled');
  const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  assert.equal(won.length, 1, `winners: ${won.length}`);
  for (const r of lost) assert.ok(r.reason instanceof ConflictError, String(r.reason));
  return won[0]!.value;
}

describe('SqliteStorage shared by several tuners', () => {
  test('two connections create the same key at once: one trial, one ConflictError', async () => {
    const { a, b, study, close } = await twoTuners();
    try {
      for (let round = 0; round < 20; round++) {
        const key = `grid/${round}`;
        const [first, second] = round % 2 ? [a, b] : [b, a];
        oneWinner(await Promise.allSettled([first.createTrial(study.id, newTrial({ key })), second.createTrial(study.id, newTrial({ key }))]));
      }
      assert.deepEqual((await a.trials(study.id)).map((t) => t.number), Array.from({ length: 20 }, (_, i) => i));
    } finally {
      await close();
    }
  });

  test('two connections promote, or requeue, the same trial at once: one wins, the other gets a ConflictError', async () => {
    const { a, b, study, close } = await twoTuners();
    try {
      const t = await a.createTrial(study.id, newTrial({ budget: 1, rung: 0 }));
      await a.claimTrial(t.id, 'a');
      await a.finishTrial(t.id, { state: 'paused', epochs: 1, checkpoint: 'ckpt' });
      const promoted = oneWinner(await Promise.allSettled([a.promoteTrial(t.id, 3, 1), b.promoteTrial(t.id, 9, 2)]));
      assert.deepEqual(await b.trial(t.id), promoted);

      assert.equal(await b.claimTrial(t.id, 'b'), true);
      const boom = { kind: 'exception', message: 'boom' } as const;
      const requeued = oneWinner(await Promise.allSettled([
        a.requeueTrial(t.id, { countAttempt: true, error: boom }), b.requeueTrial(t.id, { countAttempt: true, error: boom }),
      ]));
      assert.equal(requeued.attempts, 1); // counted once
      assert.deepEqual(await a.trial(t.id), requeued);
    } finally {
      await close();
    }
  });

  test('three processes creating the same keys at once: each key once, numbers unique, the rest ConflictErrors', async () => {
    const file = tmpFile();
    const s = SqliteStorage.open(file);
    const st = await s.openStudy(spec());
    const fixture = fileURLToPath(new URL('./fixtures/claim-keys.ts', import.meta.url));
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const count = 100;
    const startAt = String(Date.now() + 1500);
    const run = promisify(execFile);
    const outputs = await Promise.all([1, 2, 3].map(() =>
      run(process.execPath, ['--import', 'tsx', fixture, file, 'adam', String(count), startAt], { cwd: root })));
    const tallies = outputs.map((o) => JSON.parse(o.stdout) as { won: number; lost: number });
    for (const t of tallies) assert.equal(t.won + t.lost, count);
    assert.equal(tallies.reduce((n, t) => n + t.won, 0), count);
    const trials = await s.trials(st.id);
    assert.deepEqual(trials.map((t) => t.number), Array.from({ length: count }, (_, i) => i));
    assert.deepEqual(trials.map((t) => t.params.i).sort((x, y) => Number(x) - Number(y)), Array.from({ length: count }, (_, i) => i));
    assert.deepEqual(s.diagnostics().integrity, ['ok']);
    await s.close();
  });
});
