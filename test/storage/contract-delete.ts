/** The storage contract for deleting a study: everything of it goes, in one transaction, and nothing of any other. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StorageError } from '../../src/core/errors.js';
import type { Storage } from '../../src/storage/types.js';
import { newTrial, reportEpochs, runTrial, spec, storageTest, type MakeStorage } from './helpers.js';

/** A study with a complete trial, a failed one and a promoted (resumed) one, every one with reports. */
async function populated(s: Storage, name: string) {
  const st = await s.openStudy(spec({ name }));
  const done = await runTrial(s, st.id, [0.5, 0.6], {});
  const failed = await runTrial(s, st.id, [0.1], { state: 'failed', error: { kind: 'exception', message: 'boom' } });
  const paused = await s.createTrial(st.id, newTrial({ budget: 1, rung: 0 }));
  await s.claimTrial(paused.id, 'w');
  await reportEpochs(s, paused.id, [0.3]);
  await s.finishTrial(paused.id, { state: 'paused', epochs: 1, checkpoint: 'ckpt/x' });
  const promoted = await s.promoteTrial(paused.id, 3, 1);
  return { st, ids: [done.id, failed.id, promoted.id] };
}

export function deleteContract(name: string, makeStorage: MakeStorage): void {
  const withStorage = storageTest(makeStorage);

  describe(`Storage contract, deleting a study: ${name}`, () => {
    test('deleteStudy removes the study, its trials and their reports, and leaves other studies as they were', withStorage(async (s) => {
      const a = await populated(s, 'a');
      const b = await populated(s, 'b');
      const bBefore = { trials: await s.trials(b.st.id), reports: await Promise.all(b.ids.map((id) => s.reports(id))), board: await s.leaderboard(b.st.id, 10) };
      await s.deleteStudy(a.st.id);
      assert.equal(await s.getStudy('a'), null);
      assert.deepEqual((await s.studies()).map((x) => x.study.name), ['b']);
      for (const id of a.ids) {
        assert.equal(await s.trial(id), null);
        assert.deepEqual(await s.reports(id), []);
      }
      assert.deepEqual(await s.trials(a.st.id), []);
      assert.equal((await s.objectiveCurves(a.st.id, 'val_accuracy')).size, 0);
      assert.deepEqual(await s.trials(b.st.id), bBefore.trials);
      assert.deepEqual(await Promise.all(b.ids.map((id) => s.reports(id))), bBefore.reports);
      assert.deepEqual(await s.leaderboard(b.st.id, 10), bBefore.board);
      // The name is free again: a new study of that name starts from trial 0.
      const again = await s.openStudy(spec({ name: 'a' }));
      assert.notEqual(again.id, b.st.id);
      assert.equal((await s.createTrial(again.id, newTrial())).number, 0);
    }));

    test('deleteStudy of an unknown study throws StorageError and changes nothing', withStorage(async (s) => {
      const a = await populated(s, 'a');
      const before = await s.studies();
      await assert.rejects(s.deleteStudy(a.st.id + 1000), (e: unknown) => e instanceof StorageError && /no study with id/.test((e as Error).message));
      assert.deepEqual(await s.studies(), before);
      assert.equal((await s.trials(a.st.id)).length, 3);
    }));
  });
}
