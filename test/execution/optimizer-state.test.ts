/** Optimizer state survives a round trip into a fresh optimizer, before that optimizer's first step (tfjs 4.22). */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createOptimizer, disposeOptimizer } from '../../src/execution/training/optimizer.js';
import { optimizerState, restoreOptimizerState } from '../../src/execution/checkpoint/optimizer-state.js';

before(async () => {
  await tf.setBackend('wasm');
});

type Kind = 'adam' | 'sgd' | 'momentum' | 'rmsprop';
const make = (kind: Kind): tf.Optimizer =>
  createOptimizer({ optimizer: kind === 'momentum' ? 'sgd' : kind, learningRate: 0.1, momentum: kind === 'momentum' || kind === 'rmsprop' ? 0.9 : 0 });

/** A quadratic bowl with two variables, so every accumulator is non-trivial. */
function step(opt: tf.Optimizer, vars: tf.Variable[]): void {
  opt.minimize(() => tf.addN(vars.map((v, i) => v.sub(i + 1).square().sum())).asScalar() as tf.Scalar, false, vars);
}

const values = (vars: tf.Variable[]): number[][] => vars.map((v) => [...v.dataSync()]);

for (const kind of ['adam', 'sgd', 'momentum', 'rmsprop'] as const) {
  test(`${kind}: state restored into a fresh optimizer steps exactly like the original`, async () => {
    const baseline = tf.memory().numTensors;
    const a = tf.tidy(() => [tf.variable(tf.tensor1d([0.5, -2, 3])), tf.variable(tf.tensor2d([[1, 2], [3, 4]]))]); // tidy: variables outlive it
    const original = make(kind);
    for (let i = 0; i < 3; i++) step(original, a);

    const state = await optimizerState(original);
    assert.equal(state.weights[0]!.name, 'iter');
    assert.equal(state.weights[0]!.tensor.dataSync()[0], 3);
    if (kind === 'adam') assert.deepEqual(state.extras.map((e) => e.name), ['accBeta1', 'accBeta2']);
    // Copies, as a checkpoint would hold them: the restored optimizer must not share the original's variables.
    const saved = state.weights.map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
    const extras = state.extras.map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
    state.release();

    const b = tf.tidy(() => a.map((v) => tf.variable(v.clone())));
    const restored = make(kind);
    await restoreOptimizerState(restored, saved, extras);
    tf.dispose([...saved.map((w) => w.tensor), ...extras.map((w) => w.tensor)]);
    assert.equal(restored.iterations, 3);
    for (let i = 0; i < 2; i++) {
      step(original, a);
      step(restored, b);
    }
    assert.deepEqual(values(b), values(a), 'bit-identical after two more steps');

    disposeOptimizer(original);
    disposeOptimizer(restored);
    tf.dispose([...a, ...b]);
    assert.equal(tf.memory().numTensors, baseline, 'nothing leaked');
  });
}

test("adam: setWeights alone recomputes beta1^t with pow(), off in the last bit after 8 steps, so restore puts back the saved one", async () => {
  const a = tf.tidy(() => [tf.variable(tf.tensor1d([0.5, -2, 3]))]);
  const original = make('adam');
  for (let i = 0; i < 8; i++) step(original, a);
  const state = await optimizerState(original);
  const saved = state.weights.map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
  state.release();
  const restored = make('adam');
  await restored.setWeights(saved);
  const accBeta1 = (o: tf.Optimizer): number => ((o as unknown as { accBeta1: tf.Variable }).accBeta1.dataSync()[0])!;
  assert.ok(Math.abs(accBeta1(restored) - accBeta1(original)) < 1e-6, 'pow() agrees to float precision');
  assert.notEqual(accBeta1(restored), accBeta1(original), 'but not to the bit (0.9^9 on wasm float32)');
  const exact = make('adam');
  await restoreOptimizerState(exact, saved, state.extras);
  assert.equal(accBeta1(exact), accBeta1(original));
  await assert.rejects(restoreOptimizerState(make('adam'), saved, []), /extras \[\] don't match Adam's \[accBeta1, accBeta2\]/);
  tf.dispose([...saved.map((w) => w.tensor), ...a]);
  for (const o of [original, restored, exact]) disposeOptimizer(o);
});
