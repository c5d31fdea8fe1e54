import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { paramsKey } from '../../src/space/grid.js';
import { openStorage, SqliteStorage } from '../../src/storage/index.js';
import { count, runCli, spawnCli, tempDir, waitFor, writeBlobsCsv, writeJson } from '../helpers/cli.js';

const dir = tempDir();
writeBlobsCsv(join(dir, 'blobs.csv'), 100, 9);
const space = (name: string, trials = 6, epochs = 4) => {
  const file = join(dir, `${name}.json`);
  writeJson(file, {
    name,
    objective: { metric: 'val_accuracy' },
    task: { data: { csv: 'blobs.csv' }, model: { type: 'mlp', hidden: [32, 32] }, epochs },
    params: { learningRate: { type: 'float', min: 0.001, max: 0.03, log: true }, batchSize: 8, decay: { type: 'float', min: 0, max: 0.1 } },
    strategy: { type: 'random', trials },
    seed: 4,
  });
  return file;
};

async function studyTrials(db: string, name: string) {
  const storage = openStorage(db);
  const study = (await storage.getStudy(name))!;
  const trials = await storage.trials(study.id);
  const reports = await Promise.all(trials.map((t) => storage.reports(t.id)));
  await storage.close();
  return { trials, reports };
}

const reference = (() => {
  const db = join(dir, 'reference.db');
  const r = runCli(['--space', space('crash'), '--storage', db, '--workers', '2']);
  assert.equal(r.code, 0, r.stderr);
  return studyTrials(db, 'crash');
})();

for (const epochsBeforeKill of [1, 6, 15]) {
  test(`kill -9 after ${epochsBeforeKill} epoch(s), then rerun: exactly the trials of an uninterrupted run`, async () => {
    const db = join(dir, `killed-${epochsBeforeKill}.db`);
    const run = spawnCli(['--space', space('crash'), '--storage', db, '--workers', '2']);
    await waitFor(run.output, (out) => count(out, / epoch \d+\/4 /) >= epochsBeforeKill);
    run.child.kill('SIGKILL');
    await run.exit;
    const again = runCli(['--space', space('crash'), '--storage', db, '--workers', '2']);
    assert.equal(again.code, 0, again.stderr);
    const { trials, reports } = await studyTrials(db, 'crash');
    const ref = await reference;
    assert.equal(trials.length, 6);
    assert.deepEqual(trials.map((t) => t.number), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(trials.map((t) => paramsKey(t.params)), ref.trials.map((t) => paramsKey(t.params)), 'the same configs, none lost or duplicated');
    for (const [i, t] of trials.entries()) {
      assert.equal(t.state, 'complete', `trial ${t.number}: ${t.error?.message ?? ''}`);
      assert.deepEqual(reports[i]!.map((r) => r.epoch), [1, 2, 3, 4], `trial ${t.number} has each epoch once`);
    }
    const storage = SqliteStorage.open(db);
    assert.deepEqual(storage.diagnostics().integrity, ['ok']);
    await storage.close();
  });
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`${signal} pauses running trials with checkpoints, exits ${code}, and \`tune resume\` finishes them`, async () => {
    const db = join(dir, `${signal}.db`);
    const name = `signal-${signal}`;
    const run = spawnCli(['--space', space(name, 4, 6), '--storage', db, '--workers', '2']);
    await waitFor(run.output, (out) => count(out, / epoch \d+\/6 /) >= 3);
    run.child.kill(signal);
    assert.equal(await run.exit, code, run.output());
    assert.match(run.output(), new RegExp(`tune resume --study ${name}`));
    const paused = (await studyTrials(db, name)).trials.filter((t) => t.state === 'paused');
    assert.ok(paused.length >= 1, 'a running trial was paused');
    for (const t of paused) {
      assert.ok(t.epochs < 6 && t.checkpoint !== null && existsSync(t.checkpoint), `trial ${t.number} paused with a checkpoint`);
    }
    const resumed = runCli(['resume', '--study', name, '--storage', db, '--workers', '2']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const { trials, reports } = await studyTrials(db, name);
    assert.equal(trials.length, 4);
    for (const [i, t] of trials.entries()) {
      assert.equal(t.state, 'complete');
      assert.deepEqual(reports[i]!.map((r) => r.epoch), [1, 2, 3, 4, 5, 6]);
    }
  });
}

test('two tuner processes on one grid study run every point exactly once', async () => {
  const db = join(dir, 'shared.db');
  const file = join(dir, 'shared-grid.json');
  writeJson(file, {
    name: 'shared-grid',
    objective: { metric: 'val_accuracy' },
    task: { data: { csv: 'blobs.csv' }, model: { type: 'mlp', hidden: [32, 32] }, epochs: 10 },
    params: { learningRate: { type: 'categorical', values: [0.001, 0.003, 0.01, 0.03] }, batchSize: { type: 'categorical', values: [8, 16, 32] } },
    strategy: { type: 'grid' },
  });
  const a = spawnCli(['--space', file, '--storage', db, '--workers', '1']);
  const b = spawnCli(['--space', file, '--storage', db, '--workers', '1']);
  assert.equal(await a.exit, 0, a.output());
  assert.equal(await b.exit, 0, b.output());
  const { trials } = await studyTrials(db, 'shared-grid');
  assert.equal(trials.length, 12);
  assert.equal(new Set(trials.map((t) => paramsKey(t.params))).size, 12);
  assert.ok(trials.every((t) => t.state === 'complete'));
  assert.equal(new Set(trials.map((t) => t.worker)).size, 2, 'both tuners did work');
  assert.doesNotMatch(a.output() + b.output(), /database is locked|SQLITE_BUSY/);
});
