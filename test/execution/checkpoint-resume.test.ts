/** Pausing with a checkpoint and resuming is exactly equivalent to never pausing (in-process, on wasm). */
import assert from 'node:assert/strict';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { Decision, Metrics, Params } from '../../src/core/types.js';
import { removeCheckpoint } from '../../src/execution/checkpoint/checkpoint-paths.js';
import { loadSplitData } from '../../src/execution/data/dataset.js';
import type { SplitData } from '../../src/execution/data/types.js';
import { train, type TrainResult } from '../../src/execution/training/trainer.js';
import type { TrialTask } from '../../src/execution/types.js';
import { MNIST_MLP, trialTask } from './helpers.js';

let root: string;
let data: SplitData;
before(async () => {
  await tf.setBackend('wasm');
  root = await mkdtemp(join(tmpdir(), 'tune-resume-'));
  data = loadSplitData(MNIST_MLP.data, MNIST_MLP.validationSplit, 42);
});
after(async () => {
  await removeCheckpoint(root);
});

interface Run {
  readonly result: TrainResult;
  readonly epochs: [number, Metrics][];
}

async function run(task: TrialTask, pauseAt?: number): Promise<Run> {
  const epochs: [number, Metrics][] = [];
  const result = await train(task, data, async (epoch, metrics): Promise<Decision> => {
    epochs.push([epoch, metrics]);
    return epoch === pauseAt ? 'pause' : 'continue';
  });
  assert.equal(result.tensorsAfter, result.tensorsBefore, 'tensors back at baseline');
  return { result, epochs };
}

/** 4 epochs straight, and 2 + pause + resume to 4: the resumed run's epochs must be the straight run's epochs 3–4. */
async function pauseResumeMatches(params: Params, name: string): Promise<void> {
  const task = (extra: Partial<TrialTask>): TrialTask => ({ ...trialTask({ params, budget: 4, seed: 7 }), ...extra });
  const straight = await run(task({}));
  assert.equal(straight.result.outcome.state, 'complete', straight.result.outcome.error?.message);

  const dir = join(root, name);
  const first = await run(task({ checkpointDir: dir }), 2);
  assert.equal(first.result.outcome.state, 'paused');
  assert.equal(first.result.outcome.epochs, 2);
  assert.equal(first.result.outcome.checkpoint, join(dir, 'ckpt-2'));
  assert.deepEqual(first.epochs, straight.epochs.slice(0, 2), 'the first two epochs are the same run');

  const resumed = await run(task({ resumeFrom: first.result.outcome.checkpoint! }));
  assert.equal(resumed.result.outcome.state, 'complete', resumed.result.outcome.error?.message);
  assert.equal(resumed.result.outcome.epochs, 4);
  assert.deepEqual(resumed.epochs.map(([e]) => e), [3, 4], 'epochs are reported by absolute number');
  for (const [i, [epoch, m]] of resumed.epochs.entries()) {
    const want = straight.epochs[i + 2]![1];
    for (const k of Object.keys(want)) assert.ok(Math.abs(m[k]! - want[k]!) <= 1e-6, `${name}: epoch ${epoch} ${k} ${m[k]} vs ${want[k]}`);
  }
  assert.deepEqual(resumed.epochs, straight.epochs.slice(2), `${name}: bit-identical, not merely close`);
  assert.equal(resumed.result.outcome.value, straight.result.outcome.value);
  assert.equal(resumed.result.samplesTrained, straight.result.samplesTrained / 2, 'only the two new epochs were trained');
}

test('adam with decay and dropout: pause at 2 + resume to 4 == 4 epochs straight', async () => {
  await pauseResumeMatches({ optimizer: 'adam', learningRate: 0.003, batchSize: 32, decay: 0.5, dropout: 0.3 }, 'adam');
});

test('sgd with momentum: pause + resume == straight', async () => {
  await pauseResumeMatches({ optimizer: 'sgd', momentum: 0.9, learningRate: 0.02, batchSize: 32, decay: 0.5, dropout: 0.2 }, 'momentum');
});

test('rmsprop (with momentum): pause + resume == straight', async () => {
  await pauseResumeMatches({ optimizer: 'rmsprop', momentum: 0.5, learningRate: 0.001, batchSize: 32, decay: 0.3, dropout: 0.2, l2: 0.001 }, 'rmsprop');
});

test('plain sgd (state is only the iteration count): pause + resume == straight', async () => {
  await pauseResumeMatches({ optimizer: 'sgd', learningRate: 0.05, batchSize: 32, decay: 0.1 }, 'sgd');
});

test("a resumed run's first epoch is better than an untrained model's first epoch", async () => {
  const params = { learningRate: 0.003, batchSize: 32 };
  const dir = join(root, 'better');
  const paused = await run({ ...trialTask({ params, budget: 3 }), checkpointDir: dir }, 2);
  const fresh = await run(trialTask({ params, budget: 1 }));
  const resumed = await run({ ...trialTask({ params, budget: 3 }), resumeFrom: paused.result.outcome.checkpoint! });
  const [epoch, m] = resumed.epochs[0]!;
  assert.equal(epoch, 3);
  assert.ok(m['val_loss']! < fresh.epochs[0]![1]['val_loss']!, `val_loss ${m['val_loss']} vs fresh ${fresh.epochs[0]![1]['val_loss']}`);
  assert.ok(m['loss']! < fresh.epochs[0]![1]['loss']!, 'training loss too');
});

test('a resumed trial can pause again: the newer checkpoint replaces the older one in the same folder', async () => {
  const dir = join(root, 'again');
  const task = (extra: Partial<TrialTask>): TrialTask => ({ ...trialTask({ budget: 5, seed: 3 }), checkpointDir: dir, ...extra });
  const first = await run(task({}), 1);
  assert.deepEqual(await readdir(dir), ['ckpt-1']);
  const second = await run(task({ resumeFrom: first.result.outcome.checkpoint! }), 3);
  assert.equal(second.result.outcome.state, 'paused');
  assert.equal(second.result.outcome.epochs, 3);
  assert.deepEqual(second.epochs.map(([e]) => e), [2, 3]);
  assert.deepEqual(await readdir(dir), ['ckpt-3'], 'the old checkpoint is gone, no temp folder is left');
  const third = await run(task({ resumeFrom: second.result.outcome.checkpoint! }));
  assert.equal(third.result.outcome.state, 'complete');
  assert.deepEqual(third.epochs.map(([e]) => e), [4, 5]);
});

test('without a checkpointDir a pause keeps nothing (as before)', async () => {
  const paused = await run(trialTask({ budget: 3 }), 1);
  assert.equal(paused.result.outcome.state, 'paused');
  assert.equal(paused.result.outcome.checkpoint, undefined);
});
