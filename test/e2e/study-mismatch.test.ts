import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStorage } from '../../src/storage/index.js';
import { runCli, tempDir, writeBlobsCsv, writeJson } from '../helpers/cli.js';

test('a space that no longer matches its stored study is refused with the differences, unless --new-study', async () => {
  const dir = tempDir();
  const db = join(dir, 'tune.db');
  writeBlobsCsv(join(dir, 'blobs.csv'), 30);
  const file = join(dir, 'space.json');
  const write = (max: number, model: number[]) =>
    writeJson(file, {
      name: 'drift',
      objective: { metric: 'val_accuracy' },
      task: { data: { csv: 'blobs.csv' }, model: { type: 'mlp', hidden: model }, epochs: 1 },
      params: { learningRate: { type: 'float', min: 0.001, max, log: true } },
      strategy: { type: 'random', trials: 2 },
    });
  write(0.01, [8]);
  assert.equal(runCli(['--space', file, '--storage', db, '--workers', '1']).code, 0);
  write(0.1, [16]);
  const refused = runCli(['--space', file, '--storage', db, '--workers', '1']);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /study "drift" is stored with another space/);
  assert.match(refused.stderr, /params\.learningRate\.max: 0\.01 → 0\.1/);
  assert.match(refused.stderr, /task\.model\.hidden: \[8\] → \[16\]/);
  assert.match(refused.stderr, /--new-study/);

  const fresh = runCli(['--space', file, '--storage', db, '--workers', '1', '--new-study']);
  assert.equal(fresh.code, 0, fresh.stderr);
  const storage = openStorage(db);
  const names = (await storage.studies()).map((s) => s.study.name).sort();
  assert.deepEqual(names, ['drift', 'drift.2']);
  const old = (await storage.getStudy('drift.2'))!;
  assert.equal((await storage.trials(old.id)).length, 2, 'the old study keeps its trials');
  await storage.close();
});
