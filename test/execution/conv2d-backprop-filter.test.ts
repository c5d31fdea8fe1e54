import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { Conv2DBackpropFilterAttrs } from '@tensorflow/tfjs';
import { createRng } from '../../src/core/rng.js';
import { registerWasmConv2DBackpropFilter } from '../../src/execution/backends/kernels/conv2d-backprop-filter.js';

type Shape4 = [number, number, number, number];

function random(shape: Shape4, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng() * 2 - 1);
}

async function backpropFilter(backend: string, x: Float32Array, xShape: Shape4, filterShape: Shape4, attrs: Omit<Conv2DBackpropFilterAttrs, 'filterShape'>) {
  await tf.setBackend(backend);
  // The forward pass fixes dy's shape; its values are random.
  const probe = tf.conv2d(tf.zeros(xShape) as tf.Tensor4D, tf.zeros(filterShape) as tf.Tensor4D, attrs.strides, attrs.pad as 'same' | 'valid' | number);
  const dyShape = probe.shape as Shape4;
  probe.dispose();
  const before = tf.memory().numTensors;
  const xt = tf.tensor4d(x, xShape);
  const dy = tf.tensor4d(random(dyShape, 99), dyShape);
  const out = tf.engine().runKernel('Conv2DBackpropFilter', { x: xt, dy }, { ...attrs, filterShape } as unknown as tf.NamedAttrMap) as tf.Tensor;
  const values = await out.data();
  assert.deepEqual(out.shape, filterShape);
  tf.dispose([xt, dy, out]);
  assert.equal(tf.memory().numTensors, before, `${backend}: intermediate tensors leaked`);
  return values;
}

const CASES: { x: Shape4; filter: Shape4; strides: number | [number, number]; pad: 'same' | 'valid' | number }[] = [
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid' },
  { x: [3, 8, 9, 2], filter: [3, 3, 2, 5], strides: 2, pad: 'same' },
  { x: [3, 8, 9, 2], filter: [3, 3, 2, 5], strides: 2, pad: 'valid' }, // the forward pass skips the last row: cropped
  { x: [2, 10, 10, 1], filter: [5, 5, 1, 8], strides: 2, pad: 'same' },
  { x: [4, 6, 11, 3], filter: [2, 4, 3, 2], strides: [1, 2], pad: 'valid' },
  { x: [2, 9, 9, 2], filter: [3, 3, 2, 3], strides: 2, pad: 1 },
  { x: [8, 28, 28, 1], filter: [5, 5, 1, 8], strides: 1, pad: 'same' }, // the small CNN's first layer
];

test('the wasm Conv2DBackpropFilter kernel matches the cpu kernel to 1e-4', async () => {
  await tf.setBackend('wasm');
  registerWasmConv2DBackpropFilter();
  for (const [i, c] of CASES.entries()) {
    const x = random(c.x, i);
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' as const };
    const cpu = await backpropFilter('cpu', x, c.x, c.filter, attrs);
    const wasm = await backpropFilter('wasm', x, c.x, c.filter, attrs);
    let worst = 0;
    for (let j = 0; j < cpu.length; j++) worst = Math.max(worst, Math.abs(cpu[j]! - wasm[j]!) / Math.max(1, Math.abs(cpu[j]!)));
    assert.ok(worst < 1e-4, `case ${i} ${JSON.stringify(c)}: max error ${worst}`);
  }
});

test('conv2d gradients on wasm now work end to end (tf.grad through a conv layer)', async () => {
  await tf.setBackend('wasm');
  registerWasmConv2DBackpropFilter();
  const x = tf.tensor4d(random([2, 6, 6, 1], 5), [2, 6, 6, 1]);
  const f = tf.tensor4d(random([3, 3, 1, 2], 6), [3, 3, 1, 2]);
  const g = tf.grad((w: tf.Tensor) => tf.conv2d(x, w as tf.Tensor4D, 1, 'same').square().sum())(f);
  assert.deepEqual(g.shape, [3, 3, 1, 2]);
  assert.ok([...(await g.data())].every(Number.isFinite));
  tf.dispose([x, f, g]);
});
