/** The storage contract on a real PostgreSQL server, and what only PostgreSQL has: schema checks, ~/.pgpass. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NotATuneDatabaseError, PostgresStorage } from '../../src/storage/index.js';
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
