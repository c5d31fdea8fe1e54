/**
 * --keep-models in the worker's trainer: the model written at the end of a trial (reduce last) or its best epoch's
 * weights (reduce best), in tfjs's LayersModel format, loaded back in a fresh process with plain tfjs.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { Metrics } from '../../src/core/types.js';
import { KEPT_FILE, MODEL_JSON_FILE, MODEL_WEIGHTS_FILE, type KeptModelInfo } from '../../src/execution/models/kept-models.js';
import { fileLoadHandler } from '../../src/execution/models/model-load.js';
import { loadTaskModule } from '../../src/execution/task-module/task-module.js';
import { gather, trainingData } from '../../src/execution/training/task-data.js';
import { train } from '../../src/execution/training/trainer.js';
import type { TrialTask } from '../../src/execution/types.js';
import { moduleFixture, moduleTask } from '../modules/helpers.js';
import { BLOBS_MLP, trialTask } from './helpers.js';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'tune-models-'));

before(async () => {
  await tf.setBackend('wasm');
});

async function trainKeeping(task: TrialTask): Promise<{ curve: Metrics[]; result: Awaited<ReturnType<typeof train>> }> {
  const curve: Metrics[] = [];
  const result = await train(task, await trainingData(task), async (_e, m) => {
    curve.push(m);
    return 'continue';
  });
  return { curve, result };
}

/** Loads each model.json in a new node process and scores it on the task's validation split. */
function evaluateElsewhere(task: TrialTask, models: string[]): { accuracy: number; loss: number; layers: string[] }[] {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(root, 'test/fixtures/models/evaluate.ts'), JSON.stringify({ task, models })], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return JSON.parse(out) as { accuracy: number; loss: number; layers: string[] }[];
}

// Dropout makes the trained model use tune's SeededDropout layer, which the files must not need.
const lastTask = { ...trialTask({ task: BLOBS_MLP, budget: 3, seed: 5, params: { learningRate: 0.01, batchSize: 16, dropout: 0.2 } }), keepModel: { dir: join(dir, 'last'), reduce: 'last' as const, direction: 'maximize' as const } };
// A learning rate this high makes val_loss rise again after its best epoch (checked below, not assumed).
const bestTask = {
  ...trialTask({ task: BLOBS_MLP, budget: 6, seed: 2, metric: 'val_loss', params: { learningRate: 1, batchSize: 16, optimizer: 'sgd', momentum: 0.9, dropout: 0.3 } }),
  keepModel: { dir: join(dir, 'best'), reduce: 'best' as const, direction: 'minimize' as const },
};

test('reduce last keeps the final model as model.json + weights.bin, and a fresh process reproduces its val_accuracy; reduce best keeps the best epoch', async () => {
  const last = await trainKeeping(lastTask);
  assert.equal(last.result.outcome.state, 'complete');
  const info = JSON.parse(readFileSync(join(lastTask.keepModel.dir, KEPT_FILE), 'utf8')) as KeptModelInfo;
  assert.deepEqual(last.result.model, { kept: true, info });
  assert.deepEqual(info, { epoch: 3, value: last.curve[2]!.val_accuracy, metric: 'val_accuracy', reduce: 'last' });
  assert.deepEqual(readdirSync(lastTask.keepModel.dir).sort(), [KEPT_FILE, MODEL_JSON_FILE, MODEL_WEIGHTS_FILE].sort());
  const modelJson = JSON.parse(readFileSync(join(lastTask.keepModel.dir, MODEL_JSON_FILE), 'utf8')) as { format: string; weightsManifest: { paths: string[] }[] };
  assert.equal(modelJson.format, 'layers-model');
  assert.deepEqual(modelJson.weightsManifest.map((g) => g.paths), [[MODEL_WEIGHTS_FILE]]);

  const best = await trainKeeping(bestTask);
  assert.equal(best.result.outcome.state, 'complete');
  const losses = best.curve.map((m) => m.val_loss!);
  const bestEpoch = losses.indexOf(Math.min(...losses)) + 1;
  assert.ok(bestEpoch < losses.length && losses.at(-1)! > losses[bestEpoch - 1]!, `precondition: the best val_loss comes before the last epoch: ${losses.join(', ')}`);
  const bestInfo = JSON.parse(readFileSync(join(bestTask.keepModel.dir, KEPT_FILE), 'utf8')) as KeptModelInfo;
  assert.deepEqual(bestInfo, { epoch: bestEpoch, value: losses[bestEpoch - 1], metric: 'val_loss', reduce: 'best' });

  // Both tasks train on the same data and split, so one fresh process scores both models.
  assert.deepEqual([lastTask.task, lastTask.splitSeed], [bestTask.task, bestTask.splitSeed]);
  const [a, b] = evaluateElsewhere(lastTask, [join(lastTask.keepModel.dir, MODEL_JSON_FILE), join(bestTask.keepModel.dir, MODEL_JSON_FILE)]);
  assert.ok(Math.abs(a!.accuracy - info.value) <= 1e-6, `val_accuracy ${a!.accuracy} reloaded vs ${info.value} stored`);
  assert.ok(a!.layers.includes('Dropout') && !a!.layers.includes('SeededDropout'), `portable layers: ${a!.layers.join(', ')}`);
  assert.ok(Math.abs(b!.loss - bestInfo.value) <= 1e-6, `val_loss ${b!.loss} reloaded vs ${bestInfo.value} at the best epoch`);
  assert.ok(Math.abs(b!.loss - losses.at(-1)!) > 1e-6, 'the best epoch, not the last');
});

test('reduce best after a resume writes nothing when no epoch beats the best before it, and pruned trials write nothing', async () => {
  const resumed = { ...bestTask, keepModel: { ...bestTask.keepModel, dir: join(dir, 'resumed'), bestBefore: -1 } };
  const r = await trainKeeping({ ...resumed, budget: 2 });
  assert.equal(r.result.outcome.state, 'complete');
  assert.equal(r.result.model, undefined);
  assert.equal(existsSync(resumed.keepModel.dir), false);

  const prunedDir = join(dir, 'pruned');
  const task = { ...lastTask, keepModel: { ...lastTask.keepModel, dir: prunedDir } };
  const pruned = await train(task, await trainingData(task), async () => 'stop');
  assert.equal(pruned.outcome.state, 'pruned');
  assert.equal(pruned.model, undefined);
  assert.equal(existsSync(prunedDir), false);
  assert.equal(pruned.tensorsAfter, pruned.tensorsBefore, 'the snapshot and model are disposed');
});

test("a task module's own compiled model is kept too, and loads back with the file loader", async () => {
  const module = await loadTaskModule(moduleFixture('self-compiled.mjs'));
  const base = moduleTask(module.path, { metric: 'val_accuracy', budget: 2, task: { data: { csv: moduleFixture('../execution/blobs.csv'), label: 'species' } } });
  const task = { ...base, keepModel: { dir: join(dir, 'module'), reduce: 'last' as const, direction: 'maximize' as const } };
  const data = await trainingData(task, module);
  const result = await train(task, data, async () => 'continue', module);
  assert.equal(result.outcome.state, 'complete', result.outcome.error?.message);
  assert.equal(result.model?.kept, true);
  const model = await tf.loadLayersModel(fileLoadHandler(join(task.keepModel.dir, MODEL_JSON_FILE)));
  const { x, y } = gather(data.validation);
  const xs = tf.tensor(x, [data.validation.count, ...data.validation.xShape]);
  const ys = tf.tensor(y, [data.validation.count, ...data.validation.yShape]);
  const accuracy = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(model.predict(xs) as tf.Tensor, -1), tf.argMax(ys, -1)), 'float32')).dataSync()[0]!);
  assert.ok(Math.abs(accuracy - result.outcome.value!) <= 1e-6, `${accuracy} reloaded vs ${result.outcome.value}`);
  tf.dispose([xs, ys]);
  model.dispose();
});
