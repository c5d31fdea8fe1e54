/** The storage contract on a real PostgreSQL server, and what only PostgreSQL has: schema checks, ~/.pgpass. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pg from 'pg';
import { LeaseLostError } from '../../src/core/errors.js';
import { NotATuneDatabaseError, PostgresStorage } from '../../src/storage/index.js';
import { PG_MIGRATIONS, pgMigrate } from '../../src/storage/postgres/migrations.js';
import { storageContract } from './contract.js';
import { newTrial, spec } from './helpers.js';
import { PG_SKIP_REASON, PG_URL, testDatabase } from './postgres-helpers.js';

if (PG_URL === undefined) {
  test('PostgreSQL storage contract', (t) => t.skip(PG_SKIP_REASON));
} else {
  const db = await testDatabase(PG_URL);
  storageContract('PostgreSQL', async () => PostgresStorage.open(await db.freshSchema()));

  describe('PostgresStorage schema', () => {
    test('a new schema is migrated to the latest version; reopening keeps the data', async () => {
      const url = await db.freshSchema();
      const s = PostgresStorage.open(url);
      const st = await s.openStudy(spec());
      const t = await s.createTrial(st.id, newTrial({ params: { lr: 0.5, opt: 'sgd', bn: true } }));
      assert.equal(await s.schemaVersion(), PostgresStorage.latestVersion);
      await s.close();
      const again = PostgresStorage.open(url, { readonly: true });
      assert.deepEqual(await again.trial(t.id), t);
      await assert.rejects(again.createTrial(st.id, newTrial()), /read-only/);
      await again.close();
    });

    test('another program\'s tables, or a newer schema, are refused and left as they were', async () => {
      const url = await db.freshSchema();
      const schema = new URL(url).searchParams.get('options')!.split('=')[1]!;
      await db.query(`CREATE TABLE ${schema}.customers (id integer)`);
      const foreign = PostgresStorage.open(url);
      await assert.rejects(foreign.getStudy('x'), (e: unknown) => {
        assert.ok(e instanceof NotATuneDatabaseError);
        assert.equal(e.exitCode, 2);
        assert.match(e.message, /not a tune database.*customers/);
        return true;
      });
      await foreign.close();

      const url2 = await db.freshSchema();
      const schema2 = new URL(url2).searchParams.get('options')!.split('=')[1]!;
      await (PostgresStorage.open(url2)).connect().then(() => undefined);
      await db.query(`UPDATE ${schema2}.schema_version SET version = version + 1`);
      const newer = PostgresStorage.open(url2);
      const latest = PostgresStorage.latestVersion;
      await assert.rejects(newer.connect(), new RegExp(`schema version ${latest + 1}, but this version of tune only knows up to ${latest}.*newer tune`));
      await newer.close();
      assert.equal((await db.query<{ version: number }>(`SELECT version FROM ${schema2}.schema_version`))[0]?.version, latest + 1);
    });

    test('each write call takes one change number, and a claimed create is one row version (migration 6)', async () => {
      const url = await db.freshSchema();
      const schema = new URL(url).searchParams.get('options')!.split('=')[1]!;
      const s = PostgresStorage.open(url);
      try {
        const st = await s.openStudy(spec());
        const seq = async (): Promise<number> => (await s.changesSince(st.id, 0)).seq;
        const s0 = await seq();
        const t = await s.createTrial(st.id, newTrial({ claimBy: 'w0', leaseMs: 60_000 }));
        assert.equal(await seq(), s0 + 1, 'create + claim: one number');
        assert.equal(t.state, 'running');
        assert.equal(t.claims, 1);
        // xmin is the inserting transaction's id while no later update made a new version of the row.
        const [row] = await db.query<{ same: boolean }>(
          `SELECT t.xmin = (SELECT xmin FROM ${schema}.trial_params p WHERE p.trial_id = t.id LIMIT 1) AS same FROM ${schema}.trials t WHERE id = $1`, [t.id]);
        assert.equal(row?.same, true, 'the claimed trial was inserted as running, not updated after');
        await s.report(t.id, 1, { val_accuracy: 0.5, loss: 1 }, 0.5);
        assert.equal(await seq(), s0 + 2, 'a report of two metrics: one number');
        const done = await s.finishTrial(t.id, { state: 'complete', epochs: 1 });
        assert.equal(await seq(), s0 + 3, 'finish: one number');
        const changes = await s.changesSince(st.id, s0 + 2);
        assert.deepEqual(changes.trials.map((x) => [x.id, x.state]), [[t.id, 'complete']]);
        assert.deepEqual(changes.trials[0], done);
        assert.deepEqual((await s.changesSince(st.id, s0 + 1)).reports.map((r) => [r.epoch, r.metrics]), [[1, { loss: 1, val_accuracy: 0.5 }]]);
        // The JSON columns are still checked when written.
        await assert.rejects(db.query(`UPDATE ${schema}.trials SET params = '{oops' WHERE id = $1`, [t.id]), /invalid input syntax for type json/);
        await assert.rejects(db.query(`UPDATE ${schema}.studies SET definition = '[' WHERE id = $1`, [st.id]), /invalid input syntax for type json/);
      } finally {
        await s.close();
      }
    });

    test('finishAndRead finishes as finishTrial does and reads the changes as changesSince would right after', async () => {
      const s = PostgresStorage.open(await db.freshSchema());
      try {
        const st = await s.openStudy(spec());
        const a = await s.createTrial(st.id, newTrial({ claimBy: 'w0', leaseMs: 60_000 }));
        const since = (await s.changesSince(st.id, 0)).seq;
        const b = await s.createTrial(st.id, newTrial({ key: 'b', claimBy: 'w1', leaseMs: 60_000 }));
        await s.report(b.id, 1, { val_accuracy: 0.75 }, 0.75);
        const fence = { worker: 'w0', claim: 1 };
        const { trial, changes } = await s.finishAndRead(a.id, { state: 'complete', epochs: 1, value: 0.5, metrics: { val_accuracy: 0.5 } }, fence, since);
        assert.deepEqual(trial, await s.trial(a.id));
        assert.deepEqual([trial.state, trial.value, trial.epochs], ['complete', 0.5, 1]);
        const after = await s.changesSince(st.id, since);
        assert.deepEqual(changes, after);
        assert.deepEqual(changes?.trials.map((t) => t.id), [a.id, b.id]);
        assert.deepEqual(changes?.reports.map((r) => [r.trialId, r.epoch]), [[a.id, 1], [b.id, 1]]);
        // Refused as finishTrial refuses, changing nothing: a stale fence, then a finished trial.
        const seq = after.seq;
        await assert.rejects(s.finishAndRead(b.id, { state: 'complete', epochs: 1 }, { worker: 'w1', claim: 9 }, seq), LeaseLostError);
        await assert.rejects(s.finishAndRead(a.id, { state: 'failed', epochs: 1, error: { kind: 'exception', message: 'x' } }, undefined, seq), /already complete and can't change again/);
        await assert.rejects(s.finishAndRead(a.id, { state: 'complete', epochs: 1 }, undefined, -1), /since must be an integer >= 0/);
        assert.equal((await s.changesSince(st.id, 0)).seq, seq);
      } finally {
        await s.close();
      }
    });

    test('a version 5 database with trials is upgraded in place, and its trials go on', async () => {
      const url = await db.freshSchema();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      // A running trial with one report, as version 5's functions and triggers leave it (on the schema's search_path).
      const q = async <R extends pg.QueryResultRow>(sql: string, args: unknown[]): Promise<R[]> => (await client.query<R>(sql, args)).rows;
      let st: { id: number } | undefined;
      let t: { id: number } | undefined;
      try {
        assert.equal(await pgMigrate(client, 'test', PG_MIGRATIONS.slice(0, 5)), 5);
        const now = new Date().toISOString();
        [st] = await q<{ id: number }>(
          `INSERT INTO studies (name, space, direction, metric, strategy, seed, created_at, updated_at)
           VALUES ('old', '{}', 'maximize', 'val_accuracy', 'random', 1, $1, $1) RETURNING id`, [now]);
        [t] = await q<{ id: number }>(
          `INSERT INTO trials (study_id, number, state, params, budget, seed, created_at, worker, started_at, claims)
           VALUES ($1, 0, 'running', '{"lr":0.1}', 1, 7, $2, 'w0', $2, 1) RETURNING id`, [st!.id, now]);
        await q(`INSERT INTO reports (trial_id, epoch, metric, value, value_kind) VALUES ($1, 1, 'val_accuracy', 0.25, 'finite')`, [t!.id]);
      } finally {
        await client.end();
      }
      const s = PostgresStorage.open(url);
      try {
        await s.connect();
        assert.equal(await s.schemaVersion(), PostgresStorage.latestVersion);
        const before = (await s.changesSince(st!.id, 0)).seq;
        assert.ok(before >= 2, `version 5's triggers numbered the rows (${before})`);
        const done = await s.finishTrial(t!.id, { state: 'complete', epochs: 1, value: 0.25 });
        assert.equal(done.state, 'complete');
        assert.deepEqual((await s.reports(t!.id)).map((r) => r.epoch), [1]);
        assert.equal((await s.changesSince(st!.id, 0)).seq, before + 1);
      } finally {
        await s.close();
      }
    });

    test('a read-only open of an empty database says to run a sweep first, and creates nothing', async () => {
      const url = await db.freshSchema();
      const schema = new URL(url).searchParams.get('options')!.split('=')[1]!;
      const s = PostgresStorage.open(url, { readonly: true });
      await assert.rejects(s.studies(), /not a tune database yet \(it is empty\)/);
      await s.close();
      assert.deepEqual(await db.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema]), []);
    });
  });
}
