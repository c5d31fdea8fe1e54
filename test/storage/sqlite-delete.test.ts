/** SQLite only: deleting a study leaves no row of it in any table, and a read-only storage refuses to delete. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StorageError } from '../../src/core/errors.js';
import { SqliteStorage } from '../../src/storage/index.js';
import { newTrial, reportEpochs, spec } from './helpers.js';
import { raw, tmpFiles } from './sqlite-helpers.js';

const { file: tmpFile } = tmpFiles('tune-delete-');

test('deleteStudy leaves no trial, trial_params or reports row of the study, and keeps the other study\'s rows', async () => {
  const file = tmpFile();
  const s = SqliteStorage.open(file);
  const ids: Record<string, number> = {};
  for (const name of ['gone', 'kept']) {
    const st = await s.openStudy(spec({ name }));
    ids[name] = st.id;
    for (let i = 0; i < 3; i++) {
      const t = await s.createTrial(st.id, newTrial({ params: { lr: 0.01 * (i + 1), layers: i, act: 'relu' } }));
      await s.claimTrial(t.id, 'w');
      await reportEpochs(s, t.id, [0.1, 0.2]);
    }
  }
  await s.deleteStudy(ids['gone']!);
  await s.close();
  const count = (sql: string, id: number) => raw(file, (db) => db.prepare<[number], { n: number }>(sql).get(id)!.n);
  const perStudy = (id: number) => ({
    studies: count('SELECT count(*) AS n FROM studies WHERE id = ?', id),
    trials: count('SELECT count(*) AS n FROM trials WHERE study_id = ?', id),
    params: count('SELECT count(*) AS n FROM trial_params p JOIN trials t ON t.id = p.trial_id WHERE t.study_id = ?', id),
    reports: count('SELECT count(*) AS n FROM reports r JOIN trials t ON t.id = r.trial_id WHERE t.study_id = ?', id),
  });
  assert.deepEqual(perStudy(ids['gone']!), { studies: 0, trials: 0, params: 0, reports: 0 });
  assert.deepEqual(perStudy(ids['kept']!), { studies: 1, trials: 3, params: 9, reports: 6 });
  // No orphans anywhere: every params and reports row belongs to a trial that exists.
  assert.equal(raw(file, (db) => db.prepare<[], { n: number }>('SELECT count(*) AS n FROM trial_params WHERE trial_id NOT IN (SELECT id FROM trials)').get()!.n), 0);
  assert.equal(raw(file, (db) => db.prepare<[], { n: number }>('SELECT count(*) AS n FROM reports WHERE trial_id NOT IN (SELECT id FROM trials)').get()!.n), 0);

  const ro = SqliteStorage.open(file, { readonly: true });
  try {
    await assert.rejects(ro.deleteStudy(ids['kept']!), (e: unknown) => e instanceof StorageError && /deleteStudy: .* read-only/.test((e as Error).message));
  } finally {
    await ro.close();
  }
});
