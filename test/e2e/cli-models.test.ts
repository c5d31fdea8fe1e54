/**
 * Trained models out, through the CLI: `--keep-models K` keeps the best K on disk while the sweep runs, `tune export
 * --models DIR` writes them with their configs, and a fresh process loads one with plain tfjs and reproduces the
 * stored val_accuracy on the validation split. Also `objective.reduce: "best"` on a sweep.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type { SearchSpace } from '../../src/space/types.js';
import { openStorage } from '../../src/storage/index.js';
import { runCli, tempDir, writeBlobsCsv, writeJson } from '../helpers/cli.js';

const root = resolve(import.meta.dirname, '../..');
const dir = tempDir('tune-models-e2e-');
const db = join(dir, 'tune.db');
writeBlobsCsv(join(dir, 'blobs.csv'), 40);
writeJson(join(dir, 'blobs.json'), {
  name: 'blobs',
  objective: { metric: 'val_accuracy' },
  task: { data: { csv: 'blobs.csv', label: 'label' }, validationSplit: 0.25, model: { type: 'mlp', hidden: [8] }, epochs: 2 },
  params: {
    learningRate: { type: 'float', min: 0.001, max: 0.05, log: true },
    batchSize: 16,
    dropout: { type: 'categorical', values: [0, 0.2] },
  },
  strategy: { type: 'random', trials: 5 },
  seed: 4,
});
const modelsOf = (study: string): string[] => {
  const folder = join(dir, 'models', study);
  return existsSync(folder) ? readdirSync(folder).filter((n) => !n.startsWith('.')).sort() : [];
};

test('--keep-models 2 leaves exactly the best two models; export --models writes them and names the one it lacks; a fresh process reproduces val_accuracy', async () => {
  const r = runCli(['--space', join(dir, 'blobs.json'), '--storage', db, '--workers', '2', '--keep-models', '2']);
  assert.equal(r.code, 0, r.stderr);

  const storage = openStorage(db);
  const study = (await storage.getStudy('blobs'))!;
  const ranked = (await storage.leaderboard(study.id, Infinity)).filter((x) => x.trial.state === 'complete');
  assert.equal(ranked.length, 5);
  const definition = study.definition as SearchSpace;
  await storage.close();
  const top = ranked.map((x) => x.trial);
  assert.deepEqual(modelsOf('blobs'), [`trial-${top[0]!.number}`, `trial-${top[1]!.number}`].sort(), 'the best two by the leaderboard, the rest evicted');

  const out = join(dir, 'exported');
  const e = runCli(['export', '--study', 'blobs', '--storage', db, '--top', '3', '--models', out]);
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stderr, new RegExp(`warning: trial #${top[2]!.number} has no kept model`));
  assert.match(e.stderr, /wrote 2 model\(s\)/);
  assert.deepEqual(readdirSync(out).sort(), [`trial-${top[0]!.number}`, `trial-${top[1]!.number}`].sort());
  const best = join(out, `trial-${top[0]!.number}`);
  assert.deepEqual(readdirSync(best).sort(), ['config.json', 'model.json', 'weights.bin']);
  const config = JSON.parse(readFileSync(join(best, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(config.params, top[0]!.params);
  assert.equal(config.value, top[0]!.value);
  assert.equal(config.modelEpoch, 2);
  assert.equal(JSON.parse(e.stdout).length, 3, 'the configs still go to stdout');

  // A fresh node process, plain tfjs and the file:// loader of tfjs-tune/models, on the study's own validation split.
  const task = { trialId: 0, params: {}, task: definition.task, budget: 1, seed: 0, splitSeed: definition.seed, metric: 'val_accuracy' };
  const models = top.slice(0, 2).map((t) => join(out, `trial-${t.number}`, 'model.json'));
  const scored = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', join(root, 'test/fixtures/models/evaluate.ts'), JSON.stringify({ task, models })], { cwd: root, encoding: 'utf8', timeout: 120_000 })) as { accuracy: number }[];
  scored.forEach((s, i) => assert.ok(Math.abs(s.accuracy - top[i]!.value!) <= 1e-6, `trial #${top[i]!.number}: val_accuracy ${s.accuracy} reloaded vs ${top[i]!.value} stored`));
});

test('--models errors: with --curves, onto a file, and a study without kept models', async () => {
  const curves = runCli(['export', '--study', 'blobs', '--storage', db, '--curves', '--models', join(dir, 'm')]);
  assert.equal(curves.code, 2);
  assert.match(curves.stderr, /--models: .*does not go with --curves/);
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  const onFile = runCli(['export', '--study', 'blobs', '--storage', db, '--models', file]);
  assert.equal(onFile.code, 2);
  assert.match(onFile.stderr, /--models .*a-file: expected a folder, found a file/);

  // A module's objective() trains no tfjs model: nothing is kept, and export says so (exit 1) instead of crashing.
  writeFileSync(join(dir, 'bumpy.mjs'), [
    'const curves = { a: [0.5, 0.2, 0.4], b: [0.6, 0.3, 0.1] };',
    'export async function objective(params, trial) {',
    '  let v = 0;',
    '  for (let step = 1; step <= trial.budget; step++) { v = curves[params.c][step - 1]; await trial.report(step, v); }',
    '  return v;',
    '}',
  ].join('\n'));
  writeJson(join(dir, 'bumpy.json'), {
    name: 'bumpy',
    objective: { metric: 'loss', direction: 'minimize', reduce: 'best' },
    task: { module: './bumpy.mjs', epochs: 3 },
    params: { c: { type: 'categorical', values: ['a', 'b'] } },
    strategy: { type: 'grid' },
  });
  const run = runCli(['--space', join(dir, 'bumpy.json'), '--storage', db, '--workers', '1']);
  assert.equal(run.code, 0, run.stderr);
  const top = JSON.parse(runCli(['top', '--study', 'bumpy', '--storage', db, '--format', 'json']).stdout) as { params: { c: string }; value: number }[];
  // reduce best: a's value is its best step (0.2), not its last (0.4); b's best is its last (0.1).
  assert.deepEqual(top.map((t) => [t.params.c, t.value]), [['b', 0.1], ['a', 0.2]]);
  assert.deepEqual(modelsOf('bumpy'), []);
  const none = runCli(['export', '--study', 'bumpy', '--storage', db, '--models', join(dir, 'none')]);
  assert.equal(none.code, 1, none.stderr);
  assert.match(none.stderr, /trial #\d has no kept model/);
  assert.match(none.stderr, /none of the 1 chosen trial\(s\) has a kept model/);
});

test('reduce best with successive halving: the kept model is the best epoch over every rung, and pruned trials keep none', async () => {
  writeJson(join(dir, 'sha.json'), {
    name: 'sha',
    objective: { metric: 'val_loss', reduce: 'best' },
    task: { data: { csv: 'blobs.csv', label: 'label' }, validationSplit: 0.25, model: { type: 'mlp', hidden: [8] }, optimizer: 'sgd' },
    // A learning rate this high makes val_loss jump about, so the best epoch is often not the last.
    params: { learningRate: { type: 'categorical', values: [1, 0.8] }, momentum: 0.9, batchSize: 16, dropout: 0.3 },
    strategy: { type: 'successive-halving', eta: 2, minEpochs: 1, maxEpochs: 4, trials: 4 },
    seed: 2,
  });
  const r = runCli(['--space', join(dir, 'sha.json'), '--storage', db, '--workers', '2']);
  assert.equal(r.code, 0, r.stderr);
  const storage = openStorage(db);
  const study = (await storage.getStudy('sha'))!;
  const trials = await storage.trials(study.id);
  const complete = trials.filter((t) => t.state === 'complete');
  assert.equal(complete.length, 1);
  assert.ok(trials.filter((t) => t.state === 'pruned').length >= 2);
  const winner = complete[0]!;
  const losses = (await storage.reports(winner.id)).map((x) => x.metrics.val_loss!);
  await storage.close();
  assert.equal(losses.length, 4);
  const bestEpoch = losses.indexOf(Math.min(...losses)) + 1;
  // Seeded: its best epoch ends a rung before the last, so the model kept is the one written at that pause.
  assert.ok(bestEpoch < 4, `precondition: the best val_loss comes before the last rung: ${losses.join(', ')}`);
  assert.equal(winner.value, losses[bestEpoch - 1], 'the stored value is the best epoch\'s');
  assert.deepEqual(modelsOf('sha'), [`trial-${winner.number}`], 'models written at pauses of pruned trials are gone');
  const kept = JSON.parse(readFileSync(join(dir, 'models', 'sha', `trial-${winner.number}`, 'kept.json'), 'utf8')) as { epoch: number; value: number };
  assert.deepEqual(kept, { epoch: bestEpoch, value: winner.value, metric: 'val_loss', reduce: 'best' });
  const definition = study.definition as SearchSpace;
  const task = { trialId: 0, params: {}, task: definition.task, budget: 1, seed: 0, splitSeed: definition.seed, metric: 'val_loss' };
  const models = [join(dir, 'models', 'sha', `trial-${winner.number}`, 'model.json')];
  const [scored] = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', join(root, 'test/fixtures/models/evaluate.ts'), JSON.stringify({ task, models })], { cwd: root, encoding: 'utf8', timeout: 120_000 })) as { loss: number }[];
  assert.ok(Math.abs(scored!.loss - kept.value) <= 1e-6, `val_loss ${scored!.loss} reloaded vs ${kept.value} at epoch ${bestEpoch}`);
});
