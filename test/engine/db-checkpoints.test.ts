/**
 * The engine with PostgreSQL's checkpoint store (issue 13 §5) and the tests' in-process fake runner: a
 * multi-fidelity sweep pauses trials into the database and resumes them from it (the main-thread spec resolves to
 * the store itself in this thread), and finished trials leave no checkpoint rows.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkpointStoreOf, studySpec } from '../../src/engine/index.js';
import { runTrials } from '../../src/engine/sweep.js';
import { FileCheckpointStore } from '../../src/execution/index.js';
import { openStorage, PostgresStorage } from '../../src/storage/index.js';
import { createStrategy } from '../../src/strategies/index.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { space } from '../helpers/records.js';
import { PG_SKIP_REASON, PG_URL, testDatabase } from '../storage/postgres-helpers.js';

test('SQLite keeps the file store; a --checkpoint-dir folder is the file store on PostgreSQL too', async () => {
  const sqlite = openStorage(':memory:');
  assert.ok(checkpointStoreOf(sqlite, undefined, 'ckpts') instanceof FileCheckpointStore);
  await sqlite.close();
  const pg = PostgresStorage.open('postgres://nobody@127.0.0.1:1/none'); // never connects: choosing needs no I/O
  const folder = checkpointStoreOf(pg, '/shared/ckpts', 'ckpts');
  assert.ok(folder instanceof FileCheckpointStore && folder.root === '/shared/ckpts');
  assert.equal(checkpointStoreOf(pg, undefined, 'ckpts').spec.kind, 'main-thread');
  await pg.close();
});

if (PG_URL === undefined) {
  test('a multi-fidelity sweep with checkpoints in PostgreSQL', (t) => t.skip(PG_SKIP_REASON));
} else {
  const url = PG_URL;
  test('a multi-fidelity sweep pauses into PostgreSQL and resumes from it, with the in-process fake runner', async () => {
    const db = await testDatabase(url);
    const schemaUrl = await db.freshSchema();
    const schema = new URL(schemaUrl).searchParams.get('options')!.split('=')[1]!;
    const storage = openStorage(schemaUrl);
    try {
      const s = space({ strategy: { type: 'successive-halving', eta: 3, minEpochs: 1, maxEpochs: 9, trials: 9 } });
      const study = await storage.openStudy(studySpec(s));
      const checkpoints = checkpointStoreOf(storage, undefined, 'unused');
      const runner = new FakeRunner();
      const paused: string[] = [];
      await runTrials({
        space: s, study, storage, runner, strategy: createStrategy(s), workers: 2, maxTrials: 9, checkpoints,
        onEvent: (e) => {
          if (e.type === 'trial-end' && e.trial.state === 'paused') paused.push(e.trial.checkpoint ?? '');
        },
      });
      const trials = await storage.trials(study.id);
      assert.deepEqual(trials.map((t) => t.epochs).sort((a, b) => a - b), [1, 1, 1, 1, 1, 1, 3, 3, 9]);
      assert.equal(runner.epochsTrained, 6 * 1 + 2 * 3 + 9, 'promoted trials resumed from their checkpoints: no epoch trained twice');
      assert.ok(paused.length >= 9 && paused.every((ref) => /^db:[^/]+\/trial-\d+\/state-\d+$/.test(ref)), paused.join(' '));
      assert.deepEqual(await db.query(`SELECT count(*)::int AS n FROM ${schema}.checkpoints`), [{ n: 0 }], 'finished trials leave no checkpoints');
    } finally {
      await storage.close();
    }
  });
}
