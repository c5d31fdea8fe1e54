import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { Metrics } from '../../src/core/types.js';
import { loadSplitData } from '../../src/execution/data/dataset.js';
import { crossEntropy } from '../../src/execution/training/loss.js';
import { learningRateAt, resolveHyperparams } from '../../src/execution/training/hyperparams.js';
import { buildModel } from '../../src/execution/training/model.js';
import { createOptimizer, disposeOptimizer, getLearningRate, setLearningRate } from '../../src/execution/training/optimizer.js';
import { SeededDropout } from '../../src/execution/training/seeded-dropout.js';
import { train } from '../../src/execution/training/trainer.js';
import { BLOBS_MLP, MNIST_MLP, trialTask } from './helpers.js';

before(async () => {
  await tf.setBackend('wasm');
});

test('setLearningRate changes the rate each optimizer actually steps with', () => {
  // d(x)/dx = 1, so one step moves x by the rate (adam: ≈ rate; rmsprop: rate / sqrt(1 - 0.9)).
  const expectedStep = { adam: 1, sgd: 1, momentum: 1, rmsprop: 1 / Math.sqrt(0.1) };
  for (const [name, scale] of Object.entries(expectedStep)) {
    for (const rate of [0, 0.01]) {
      const opt = createOptimizer({ optimizer: name === 'momentum' ? 'sgd' : (name as 'adam' | 'sgd' | 'rmsprop'), learningRate: 1, momentum: name === 'momentum' ? 0.9 : 0 });
      setLearningRate(opt, rate);
      assert.equal(getLearningRate(opt), rate);
      const x = tf.variable(tf.scalar(1));
      opt.minimize(() => x.mul(1).asScalar() as tf.Scalar, false, [x]);
      const step = 1 - x.dataSync()[0]!;
      assert.ok(Math.abs(step - rate * scale) < 1e-4, `${name} at rate ${rate}: stepped ${step}`);
      x.dispose();
      disposeOptimizer(opt);
    }
  }
});

test("the unclipped cross-entropy equals tfjs's in normal ranges, and is Infinity only when the true class gets p = 0", () => {
  const logits = tf.tensor2d([[2, -1, 0.5], [0.1, 0.2, 3], [-4, 8, 1]]);
  const p = tf.softmax(logits);
  const y = tf.oneHot(tf.tensor1d([0, 2, 0], 'int32'), 3).toFloat();
  const ours = crossEntropy(y, p).dataSync()[0]!;
  const theirs = tf.mean(tf.metrics.categoricalCrossentropy(y, p)).dataSync()[0]!;
  assert.ok(Math.abs(ours - theirs) < 1e-5, `${ours} vs ${theirs}`);
  const saturated = tf.tensor2d([[1, 0, 0]]);
  assert.equal(crossEntropy(tf.tensor2d([[1, 0, 0]]), saturated).dataSync()[0]! + 0, 0, 'other classes at p = 0 are fine');
  assert.equal(crossEntropy(tf.tensor2d([[0, 1, 0]]), saturated).dataSync()[0], Infinity);
  tf.dispose([logits, p, y, saturated]);
});

test('learning-rate decay: lr_e = learningRate / (1 + decay·e)', () => {
  assert.equal(learningRateAt({ learningRate: 0.1, decay: 0.5 }, 0), 0.1);
  assert.equal(learningRateAt({ learningRate: 0.1, decay: 0.5 }, 2), 0.05);
  const hp = resolveHyperparams({}, MNIST_MLP);
  assert.deepEqual({ ...hp }, { learningRate: 0.001, batchSize: 32, decay: 0, l2: 0, optimizer: 'adam', momentum: 0, dropout: 0, units: undefined });
  assert.equal(resolveHyperparams({ optimizer: 'sgd' }, MNIST_MLP).optimizer, 'sgd', 'the optimizer param overrides the task');
});

async function epochsOf(params: Record<string, number | string>): Promise<Metrics[]> {
  const data = loadSplitData(BLOBS_MLP.data, BLOBS_MLP.validationSplit, 1);
  const seen: Metrics[] = [];
  const result = await train(trialTask({ task: BLOBS_MLP, budget: 3, params }), data, async (_e, m) => {
    seen.push(m);
    return 'continue';
  });
  assert.equal(result.outcome.state, 'complete', result.outcome.error?.message);
  assert.equal(result.tensorsAfter, result.tensorsBefore, 'tensors back at baseline');
  return seen;
}

test('decay is applied in training: a huge decay freezes the weights after epoch 1', async () => {
  const plain = await epochsOf({ learningRate: 0.05, decay: 0 });
  const frozen = await epochsOf({ learningRate: 0.05, decay: 1e12 });
  assert.deepEqual(frozen[0], plain[0], 'epoch 1 runs at the full rate either way');
  assert.equal(frozen[2]!['val_loss'], frozen[1]!['val_loss'], 'rate ≈ 0 from epoch 2: validation loss stops moving');
  assert.notEqual(plain[2]!['val_loss'], plain[1]!['val_loss']);
});

test('dropout is active inside model.fit and reproducible', async () => {
  const none = await epochsOf({ learningRate: 0.01 });
  const a = await epochsOf({ learningRate: 0.01, dropout: 0.5 });
  const b = await epochsOf({ learningRate: 0.01, dropout: 0.5 });
  assert.deepEqual(a, b);
  assert.notEqual(a[0]!['loss'], none[0]!['loss'], 'training loss differs once dropout is on');
});

test('models: units, dropout and l2 apply to every hidden layer; the seed fixes the initial weights', () => {
  const input = { numFeatures: 784, numClasses: 10, imageShape: [28, 28, 1] as const };
  const hp = resolveHyperparams({ units: 16, dropout: 0.25, l2: 0.01 }, MNIST_MLP);
  const model = buildModel({ type: 'mlp', hidden: [128, 64] }, input, hp, 3);
  const kinds = model.layers.map((l) => l.getClassName());
  assert.deepEqual(kinds, ['Dense', 'SeededDropout', 'Dense', 'SeededDropout', 'Dense']);
  assert.deepEqual(model.layers.filter((l) => l.getClassName() === 'Dense').map((l) => (l.getConfig() as { units: number }).units), [16, 16, 10]);
  assert.ok(model.layers.filter((l) => l.getClassName() === 'Dense').every((l) => (l.getConfig() as { kernelRegularizer?: unknown }).kernelRegularizer != null));
  const same = buildModel({ type: 'mlp', hidden: [128, 64] }, input, hp, 3);
  const other = buildModel({ type: 'mlp', hidden: [128, 64] }, input, hp, 4);
  const w = (m: tf.LayersModel): number[] => [...m.getWeights()[0]!.dataSync().slice(0, 20)];
  assert.deepEqual(w(same), w(model));
  assert.notDeepEqual(w(other), w(model));
  const cnn = buildModel({ type: 'cnn', filters: [4, 8], kernelSize: 3, hidden: [32] }, input, resolveHyperparams({}, MNIST_MLP), 3);
  assert.deepEqual(cnn.outputShape, [null, 10]);
  assert.deepEqual(cnn.layers.map((l) => l.getClassName()), ['Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense']);
  assert.throws(() => buildModel({ type: 'cnn', filters: [4], kernelSize: 3, hidden: [] }, { numFeatures: 5, numClasses: 3 }, hp, 1), /cnn needs image data/);
  for (const m of [model, same, other, cnn]) m.dispose();
});

test('seeded dropout: a new mask every training call, the same sequence for the same seed, identity otherwise', () => {
  const x = tf.ones([4, 50]);
  const masks = (seed: number): number[][] => {
    const layer = new SeededDropout({ rate: 0.5, seed });
    return [0, 1].map(() => tf.tidy(() => [...(layer.apply(x, { training: true }) as tf.Tensor).dataSync()]));
  };
  const [a1, a2] = masks(9);
  const [b1] = masks(9);
  assert.notDeepEqual(a1, a2, 'masks differ between batches');
  assert.deepEqual(b1, a1, 'same seed, same masks');
  const layer = new SeededDropout({ rate: 0.5, seed: 1 });
  assert.deepEqual(tf.tidy(() => [...(layer.apply(x, { training: false }) as tf.Tensor).dataSync()]), new Array<number>(200).fill(1));
  x.dispose();
});
