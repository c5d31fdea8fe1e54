import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStorage } from '../../src/storage/index.js';
import { runCli, tempDir, writeBlobsCsv, writeJson } from '../helpers/cli.js';

test('a real successive-halving sweep resumes promoted trials from their checkpoints', async () => {
  const dir = tempDir();
  const db = join(dir, 'tune.db');
  writeBlobsCsv(join(dir, 'blobs.csv'), 60, 5);
  writeJson(join(dir, 'sha.json'), {
    name: 'blobs-sha',
    objective: { metric: 'val_accuracy' },
    task: { data: { csv: 'blobs.csv' }, model: { type: 'mlp', hidden: [16] }, epochs: 9 },
    params: {
      learningRate: { type: 'float', min: 0.003, max: 0.03, log: true },
      batchSize: 16,
      decay: { type: 'float', min: 0, max: 0.2 },
    },
    strategy: { type: 'successive-halving', eta: 3, minEpochs: 1, maxEpochs: 9, trials: 9 },
    seed: 5,
  });
  const r = runCli(['--space', join(dir, 'sha.json'), '--storage', db, '--workers', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /rung/);

  const storage = openStorage(db);
  const study = (await storage.getStudy('blobs-sha'))!;
  const trials = await storage.trials(study.id);
  assert.deepEqual([0, 1, 2].map((k) => trials.filter((t) => (t.rung ?? 0) >= k).length), [9, 3, 1]);
  for (const t of trials) {
    assert.equal(t.state, t.rung === 2 ? 'complete' : 'pruned', `trial ${t.number}: ${t.error?.message ?? ''}`);
    const reports = await storage.reports(t.id);
    // One continuous learning curve per trial: every epoch once, none retrained.
    assert.deepEqual(reports.map((x) => x.epoch), Array.from({ length: t.epochs }, (_, i) => i + 1));
    assert.equal(t.epochs, [1, 3, 9][t.rung!]);
  }
  for (const t of trials.filter((x) => (x.rung ?? 0) >= 1)) {
    const [first, resumed] = await storage.reports(t.id);
    // Epoch 2 ran in a later task, from epoch 1's checkpoint: it starts from trained weights, not from scratch.
    assert.ok(resumed!.metrics.val_loss! < first!.metrics.val_loss!, `trial ${t.number}: ${JSON.stringify([first, resumed])}`);
  }
  const board = await storage.leaderboard(study.id, 3);
  assert.equal(board[0]!.trial.rung, 2, 'the trial that reached the full budget ranks first');
  await storage.close();
  const ckpts = join(dir, 'checkpoints', 'blobs-sha');
  assert.deepEqual(existsSync(ckpts) ? readdirSync(ckpts) : [], [], 'finished trials leave no checkpoints behind');

  const show = runCli(['show', '--study', 'blobs-sha', '--trial', String(board[0]!.trial.number), '--storage', db]);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /state +complete/);
  assert.match(show.stdout, /epoch +val_loss +val_accuracy/);
  assert.equal(show.stdout.trim().split('\n').filter((l) => /^\s*\d+\s/.test(l)).length, 9);
});
