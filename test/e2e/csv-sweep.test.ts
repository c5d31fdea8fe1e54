import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { openStorage } from '../../src/storage/index.js';
import { runCli, tempDir, writeBlobsCsv, writeJson } from '../helpers/cli.js';

const dir = tempDir();
const db = join(dir, 'tune.db');
writeBlobsCsv(join(dir, 'blobs.csv'));
writeJson(join(dir, 'blobs.json'), {
  name: 'blobs',
  objective: { metric: 'val_accuracy' },
  task: { data: { csv: 'blobs.csv', label: 'label' }, validationSplit: 0.25, model: { type: 'mlp', hidden: [16] }, epochs: 3 },
  params: {
    learningRate: { type: 'float', min: 0.003, max: 0.05, log: true },
    batchSize: { type: 'categorical', values: [16, 32] },
    l2: { type: 'float', min: 0.00001, max: 0.001, log: true },
  },
  strategy: { type: 'random', trials: 4 },
  seed: 3,
});

test('a real sweep on a CSV through the CLI stores every trial and epoch, and ranks them', async () => {
  const r = runCli(['--space', join(dir, 'blobs.json'), '--storage', db, '--workers', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /backend wasm/);
  assert.match(r.stdout, /#\d epoch 3\/3 {2}val_accuracy=/);
  assert.match(r.stdout, /rank +trial +state +val_accuracy/);

  const storage = openStorage(db);
  const study = await storage.getStudy('blobs');
  assert.ok(study);
  assert.equal(study.backend, 'wasm');
  const trials = await storage.trials(study.id);
  assert.equal(trials.length, 4);
  for (const t of trials) {
    assert.equal(t.state, 'complete', `trial ${t.number}: ${t.error?.message}`);
    assert.equal(t.epochs, 3);
    const reports = await storage.reports(t.id);
    assert.deepEqual(reports.map((x) => x.epoch), [1, 2, 3]);
    for (const x of reports) assert.deepEqual(Object.keys(x.metrics).sort(), ['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    assert.equal(t.value, reports[2]!.metrics.val_accuracy);
  }
  assert.ok(Math.max(...trials.map((t) => t.value!)) > 0.85, 'well-separated blobs are learnable');
  assert.equal(new Set(trials.map((t) => t.seed)).size, 4, 'each trial has its own seed');
  await storage.close();
});

test('rerunning the same command continues the study instead of duplicating it', async () => {
  const again = runCli(['--space', join(dir, 'blobs.json'), '--storage', db, '--workers', '2']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /ran 0 trial/);
  const more = runCli(['--space', join(dir, 'blobs.json'), '--storage', db, '--workers', '1', '--trials', '5']);
  assert.equal(more.code, 0, more.stderr);
  assert.match(more.stdout, /ran 1 trial/);
  const storage = openStorage(db);
  const study = await storage.getStudy('blobs');
  assert.equal((await storage.trials(study!.id)).length, 5);
  await storage.close();
});

test('top and export agree with the database, in every format', async () => {
  const storage = openStorage(db);
  const study = (await storage.getStudy('blobs'))!;
  const ranked = (await storage.leaderboard(study.id, 3)).map((r) => r.trial);
  await storage.close();
  const expected = ranked.map((t, i) => ({ rank: i + 1, trial: t.number, value: t.value, metric: 'val_accuracy', params: t.params, epochs: t.epochs }));
  for (let i = 1; i < ranked.length; i++) assert.ok(ranked[i - 1]!.value! >= ranked[i]!.value!, 'ranked best first');

  const top = runCli(['top', '--study', 'blobs', '--storage', db, '-n', '3', '--json']);
  assert.equal(top.code, 0, top.stderr);
  assert.deepEqual((JSON.parse(top.stdout) as { trial: number }[]).map((x) => x.trial), expected.map((e) => e.trial));

  const json = runCli(['export', '--study', 'blobs', '--storage', db, '--top', '3', '--format', 'json']);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), expected);

  const out = join(dir, 'out', 'best.yaml');
  const yaml = runCli(['export', '--study', 'blobs', '--storage', db, '--top', '3', '--format', 'yaml', '--out', out]);
  assert.equal(yaml.code, 0, yaml.stderr);
  const { readFileSync } = await import('node:fs');
  assert.deepEqual(parseYaml(readFileSync(out, 'utf8')), expected);

  const csv = runCli(['export', '--study', 'blobs', '--storage', db, '--top', '3', '--format', 'csv']);
  assert.equal(csv.code, 0, csv.stderr);
  const [header, ...rows] = csv.stdout.trim().split('\n').map((l) => l.split(','));
  // Params are stored, and so exported, in alphabetical order.
  assert.deepEqual(header, ['rank', 'trial', 'value', 'metric', 'epochs', 'batchSize', 'l2', 'learningRate']);
  assert.deepEqual(
    rows.map((r) => ({ rank: Number(r[0]), trial: Number(r[1]), value: Number(r[2]), metric: r[3], epochs: Number(r[4]),
      params: { batchSize: Number(r[5]), l2: Number(r[6]), learningRate: Number(r[7]) } })),
    expected,
  );
});

test('a trial whose loss diverges is stored as failed with its reason, and the grid goes on', async () => {
  writeJson(join(dir, 'diverge.json'), {
    name: 'diverge',
    objective: { metric: 'val_loss' },
    task: { data: { csv: 'blobs.csv' }, model: { type: 'mlp', hidden: [8] }, optimizer: 'sgd', epochs: 2 },
    params: { learningRate: { type: 'categorical', values: [1e9, 0.05] }, batchSize: 16 },
    strategy: { type: 'grid' },
  });
  const r = runCli(['--space', join(dir, 'diverge.json'), '--storage', db, '--workers', '2']);
  assert.equal(r.code, 0, r.stderr);
  const storage = openStorage(db);
  const study = (await storage.getStudy('diverge'))!;
  assert.equal(study.direction, 'minimize');
  const trials = await storage.trials(study.id);
  assert.equal(trials.length, 2);
  const bad = trials.find((t) => t.params.learningRate === 1e9)!;
  const good = trials.find((t) => t.params.learningRate === 0.05)!;
  assert.equal(bad.state, 'failed');
  assert.equal(bad.error?.kind, 'nan');
  assert.equal(good.state, 'complete');
  const board = await storage.leaderboard(study.id, 10);
  assert.equal(board[0]!.trial.id, good.id, 'complete trials rank above failed ones');
  await storage.close();
});
