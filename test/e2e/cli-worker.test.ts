/**
 * `tune worker --study S` (issue 13 §6): joins a stored study without its space file, finds the task module relative
 * to the space file's folder or to --root DIR, names a missing file (exit 2), runs until nothing is left, exits 0.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStorage } from '../../src/storage/index.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { parseRuns, writeLoggingModule, writeSpace } from '../multi/helpers.js';

test('tune worker joins the stored study from another folder (--root), and a missing task module is exit 2 naming it', async () => {
  const machineA = tempDir('tune-worker-a-');
  writeLoggingModule(machineA);
  const space = writeSpace(machineA, 'joined', {
    task: { module: './logged.mjs', epochs: 2 },
    params: { x: { type: 'categorical', values: [0.1, 0.2, 0.3] }, wait: 0 },
    strategy: { type: 'grid' },
  });
  const db = join(tempDir('tune-worker-db-'), 'tune.db');
  const first = runCli(['--space', space, '--storage', db, '--workers', '1', '--trials', '1', '--progress', 'none']);
  assert.equal(first.code, 0, first.stderr);

  // "Machine B": the files live elsewhere, and the space file's folder is gone.
  const machineB = tempDir('tune-worker-b-');
  cpSync(join(machineA, 'logged.mjs'), join(machineB, 'logged.mjs'));
  renameSync(machineA, `${machineA}-gone`);
  const missing = runCli(['worker', '--study', 'joined', '--storage', db, '--workers', '1']);
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, new RegExp(`task\\.module: file not found on this machine: ${join(machineA, 'logged.mjs').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.match(missing.stderr, /--root DIR/);
  const unknown = runCli(['worker', '--study', 'nope', '--storage', db]);
  assert.equal(unknown.code, 2, unknown.stderr);
  assert.match(unknown.stderr, /no study named "nope"/);
  const badLease = runCli(['worker', '--study', 'joined', '--storage', db, '--lease', '10ms']);
  assert.equal(badLease.code, 2, badLease.stderr);
  assert.match(badLease.stderr, /--lease: expected a duration of at least 1s/);

  const worker = runCli(['worker', '--study', 'joined', '--storage', db, '--workers', '1', '--root', machineB, '--progress', 'none']);
  assert.equal(worker.code, 0, worker.stderr);
  assert.ok(existsSync(join(machineB, 'runs.log')), "the worker ran machine B's module");
  assert.equal(parseRuns(readFileSync(join(machineB, 'runs.log'), 'utf8')).length, 2, 'the two grid points left');
  const storage = openStorage(db);
  try {
    const study = (await storage.getStudy('joined'))!;
    const trials = await storage.trials(study.id);
    assert.deepEqual(trials.map((t) => [t.number, t.state]), [[0, 'complete'], [1, 'complete'], [2, 'complete']]);
    const definition = study.definition as { task: { module: string }; spaceDir: string };
    assert.equal(definition.task.module, join(machineA, 'logged.mjs'), "the worker didn't store its own paths over the study's");
    assert.equal(definition.spaceDir, machineA);
  } finally {
    await storage.close();
  }
});
