/**
 * Checkpoints in PostgreSQL (issue 13 §5): the CheckpointStore contract over the database store, served from the
 * main thread as a tuner does, and what only it has: bytea chunks, damage found by the checksum, one transaction
 * per write, and a study's checkpoints following it when it is renamed or deleted.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { DatabaseCheckpointStore } from '../../src/engine/index.js';
import { CopyClock, copyStudy, PostgresStorage } from '../../src/storage/index.js';
import { checkpointStoreContract, modelDraft } from '../execution/checkpoint-store-contract.js';
import { newTrial, spec } from './helpers.js';
import { PG_SKIP_REASON, PG_URL, testDatabase } from './postgres-helpers.js';

if (PG_URL === undefined) {
  test('PostgreSQL checkpoint store', (t) => t.skip(PG_SKIP_REASON));
} else {
  const db = await testDatabase(PG_URL);
  const opened: PostgresStorage[] = [];
  after(() => Promise.all(opened.map((s) => s.close())));
  /** A storage on a fresh schema, and its schema's name (for SQL on its tables). */
  const fresh = async (): Promise<{ storage: PostgresStorage; schema: string }> => {
    const url = await db.freshSchema();
    const storage = PostgresStorage.open(url);
    opened.push(storage);
    await storage.connect();
    return { storage, schema: new URL(url).searchParams.get('options')!.split('=')[1]! };
  };

  checkpointStoreContract('PostgreSQL', { make: async () => new DatabaseCheckpointStore((await fresh()).storage.checkpointBlobs()), crossesThreads: 'port' });

  describe('PostgreSQL checkpoint tables', () => {
    test('a flipped byte in a chunk is found by the checksum: the read throws naming the ref', async () => {
      const { storage, schema } = await fresh();
      const store = new DatabaseCheckpointStore(storage.checkpointBlobs());
      const ref = await store.write(store.slot('s', 0), modelDraft(2, 0.5));
      await store.read(ref, 'model');
      await db.query(`UPDATE ${schema}.checkpoint_chunks SET data = set_byte(data, 3, get_byte(data, 3) # 1)`);
      await assert.rejects(store.read(ref, 'model'), (e: Error) => {
        assert.ok(e.message.startsWith(`checkpoint ${ref}: `), e.message);
        assert.match(e.message, /sha256 \(corrupt\)/);
        return true;
      });
    });

    test('a missing or truncated chunk is found too', async () => {
      const { storage, schema } = await fresh();
      const blobs = storage.checkpointBlobs(8);
      const store = new DatabaseCheckpointStore(blobs);
      const ref = await store.write(store.slot('s', 0), modelDraft(2));
      const rows = await db.query<{ index: number; n: number }>(`SELECT index, length(data) AS n FROM ${schema}.checkpoint_chunks ORDER BY index`);
      assert.deepEqual(rows.map((r) => r.n), [8, 8, 8, 4], '28 bytes in chunks of at most 8, in order');
      assert.deepEqual((await store.read(ref, 'model')).weights, Buffer.concat(modelDraft(2).chunks));
      await db.query(`UPDATE ${schema}.checkpoint_chunks SET data = substring(data from 1 for 7) WHERE index = 1`);
      await assert.rejects(store.read(ref, 'model'), /is 27 bytes, its header says 28/);
      await db.query(`DELETE FROM ${schema}.checkpoint_chunks WHERE index = 2`);
      await assert.rejects(store.read(ref, 'model'), (e: Error) => e.message.startsWith(`checkpoint ${ref}: has 3 of its 4 chunks`));
    });

    test('a write that fails half way stores nothing, and the older checkpoint is still readable', async () => {
      const { storage, schema } = await fresh();
      const store = new DatabaseCheckpointStore(storage.checkpointBlobs());
      const slot = store.slot('s', 0);
      const old = await store.write(slot, modelDraft(2, 4));
      // The server refuses the second chunk row of the next write: the whole transaction goes.
      await db.query(`ALTER TABLE ${schema}.checkpoint_chunks ADD CONSTRAINT one_chunk CHECK (index < 1)`);
      const blobs = storage.checkpointBlobs(8);
      await assert.rejects(new DatabaseCheckpointStore(blobs).write(slot, modelDraft(5)), /one_chunk/);
      assert.equal(await store.locate(old, slot), old);
      assert.deepEqual((await store.read(old, 'model')).weights, Buffer.concat(modelDraft(2, 4).chunks));
      assert.deepEqual(await db.query(`SELECT step FROM ${schema}.checkpoints`), [{ step: 2 }]);
    });

    test("deleting a study deletes its checkpoints; renaming it takes them along; other studies' stay", async () => {
      const { storage } = await fresh();
      const store = new DatabaseCheckpointStore(storage.checkpointBlobs());
      const a = await storage.openStudy(spec({ name: 'a' }));
      await storage.openStudy(spec({ name: 'b' }));
      const refA = await store.write(store.slot('a', 0), modelDraft(1));
      const refB = await store.write(store.slot('b', 0), modelDraft(2));
      await storage.renameStudy(a.id, 'a.2');
      assert.equal(await store.locate(refA, store.slot('a', 0)), undefined, 'the old name has none left');
      const moved = await store.locate(refA, store.slot('a.2', 0));
      assert.equal(moved, `${store.slot('a.2', 0)}/ckpt-1`);
      await storage.deleteStudy(a.id);
      assert.equal(await store.locate(moved!, store.slot('a.2', 0)), undefined);
      assert.equal((await store.read(refB, 'model')).manifest.epochs, 2);
    });

    test('tune copy between two PostgreSQL databases takes a paused trial\'s checkpoint along', async () => {
      const { storage: from } = await fresh();
      const { storage: to } = await fresh();
      const source = new DatabaseCheckpointStore(from.checkpointBlobs());
      const study = await from.openStudy(spec({ name: 'c' }));
      const trial = await from.createTrial(study.id, newTrial());
      assert.ok(await from.claimTrial(trial.id, 'w'));
      await from.report(trial.id, 1, { val_accuracy: 0.5 }, 0.5);
      const ref = await source.write(source.slot('c', trial.number), modelDraft(1, 6));
      await from.finishTrial(trial.id, { state: 'paused', epochs: 1, value: 0.5, checkpoint: ref });
      await copyStudy(from, study, to, new CopyClock());
      const target = new DatabaseCheckpointStore(to.checkpointBlobs());
      const copied = (await to.trials((await to.getStudy('c'))!.id))[0]!;
      assert.equal(copied.checkpoint, ref);
      assert.equal(await target.locate(ref, target.slot('c', copied.number)), ref);
      assert.deepEqual((await target.read(ref, 'model')).weights, Buffer.concat(modelDraft(1, 6).chunks));
    });
  });
}
