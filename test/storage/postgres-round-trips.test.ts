/**
 * The round trips of a tuner's per-trial calls on PostgreSQL (issue 13 §8): create-and-claim, claim, finish, report,
 * heartbeat and changesSince are one each (create, claim and finish were two, `BEGIN; function` then COMMIT, until
 * they became one autocommitted statement that records its write token). Values written into the SQL text (the
 * simple protocol takes no parameters) come back exactly: quotes, backslashes, `$1`, extreme doubles.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { PostgresStorage } from '../../src/storage/index.js';
import { newTrial, spec } from './helpers.js';
import { PG_SKIP_REASON, PG_URL, testDatabase } from './postgres-helpers.js';

/** Runs `fn` and returns how many queries node-postgres sent meanwhile (each is one round trip). */
async function counted<T>(fn: () => Promise<T>): Promise<{ value: T; trips: number }> {
  const original = pg.Client.prototype.query;
  let trips = 0;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    trips++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    return { value: await fn(), trips };
  } finally {
    pg.Client.prototype.query = original;
  }
}

if (PG_URL === undefined) {
  test('PostgreSQL round trips', (t) => t.skip(PG_SKIP_REASON));
} else {
  const db = await testDatabase(PG_URL, 'tune_trips');

  test('each per-trial call is one round trip, and the values sent come back exactly', async () => {
    const s = PostgresStorage.open(await db.freshSchema());
    try {
      const study = await s.openStudy(spec());
      const params = { name: `O'Reilly \\ "q" $1 ; DROP TABLE trials; -- ✓`, lr: -0.5, big: 1e300, tiny: 5e-324, on: true };
      const key = `k'ey\\$2`;
      const created = await counted(() => s.createTrial(study.id, newTrial({ params, key, budget: 2.5, claimBy: `w'1`, leaseMs: 60_000 })));
      assert.equal(created.trips, 1);
      const t = created.value;
      assert.deepEqual([t.state, t.worker, t.claims, t.budget], ['running', `w'1`, 1, 2.5]);
      assert.deepEqual(t.params, params);
      assert.deepEqual((await s.trial(t.id))?.params, params);

      const fence = { worker: `w'1`, claim: 1 };
      assert.equal((await counted(() => s.report(t.id, 1, { loss: 0.25, acc: Infinity }, 0.25, fence))).trips, 1);
      assert.equal((await counted(() => s.heartbeat([t.id], `w'1`))).trips, 1);
      const changes = await counted(() => s.changesSince(study.id, 0));
      assert.equal(changes.trips, 1);
      assert.deepEqual(changes.value.trials.map((x) => x.id), [t.id]);
      assert.deepEqual(changes.value.reports.map((r) => [r.epoch, r.metrics]), [[1, { acc: Infinity, loss: 0.25 }]]);

      const finished = await counted(() => s.finishTrial(t.id, { state: 'complete', epochs: 2, value: -0.125, metrics: { loss: -0.125 } }, fence));
      assert.equal(finished.trips, 1);
      assert.deepEqual([finished.value.state, finished.value.value, finished.value.epochs], ['complete', -0.125, 2]);

      const other = await s.createTrial(study.id, newTrial({ key: 'third', claimBy: `w'1`, leaseMs: 60_000 }));
      const read = await counted(() => s.finishAndRead(other.id, { state: 'pruned', epochs: 0 }, { worker: `w'1`, claim: 1 }, changes.value.seq));
      assert.equal(read.trips, 1, 'a finish and the changes since, one round trip');
      assert.deepEqual(read.value.changes?.trials.map((x) => [x.id, x.state]), [[t.id, 'complete'], [other.id, 'pruned']]);

      const queued = await s.createTrial(study.id, newTrial({ key: 'second' }));
      const claimed = await counted(() => s.acquireTrial(queued.id, 'w2', 30_000));
      assert.deepEqual([claimed.trips, claimed.value?.worker], [1, 'w2']);
      // The key, quotes and all, is the one stored: a second create with it is refused.
      await assert.rejects(s.createTrial(study.id, newTrial({ key })), new RegExp(`already has a trial with key "k'ey\\\\\\$2" \\(trial #0, id ${t.id}\\)`));
    } finally {
      await s.close();
    }
  });
}
