import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { Params } from '../../src/core/types.js';
import { resolveHyperparams } from '../../src/execution/training/hyperparams.js';
import { buildModel, type ModelInput } from '../../src/execution/training/model.js';
import { parseSpace } from '../../src/space/index.js';
import type { ModelSpec, TaskSpec } from '../../src/space/types.js';

before(async () => {
  await tf.setBackend('wasm');
});

const task = (model: ModelSpec): TaskSpec => ({ validationSplit: 0.2, model, optimizer: 'adam', epochs: 1 });

/** Each layer's class, its width (units or filters), its activation and, for conv layers, the kernel size. */
function describe(model: tf.LayersModel): { kind: string; width?: number; activation?: string; kernel?: number }[] {
  return model.layers.map((layer) => {
    const c = layer.getConfig() as { units?: number; filters?: number; activation?: string; kernelSize?: number[] };
    return {
      kind: layer.getClassName(),
      ...(c.units !== undefined ? { width: c.units } : c.filters !== undefined ? { width: c.filters } : {}),
      ...(c.activation !== undefined ? { activation: c.activation } : {}),
      ...(c.kernelSize !== undefined ? { kernel: c.kernelSize[0] } : {}),
    };
  });
}

const IMAGES: ModelInput = { numFeatures: 28 * 28, numClasses: 10, imageShape: [28, 28, 1] };

function built(spec: ModelSpec, params: Params, input: ModelInput = { numFeatures: 4, numClasses: 3 }) {
  const hp = resolveHyperparams(params, task(spec));
  const model = buildModel(spec, input, hp, 1, params);
  try {
    return describe(model);
  } finally {
    model.dispose();
  }
}

test('layers, units.i and activation build the dense stack they name', () => {
  const spec: ModelSpec = { type: 'mlp', hidden: [128, 64] };
  assert.deepEqual(built(spec, { layers: 3, 'units.1': 16, 'units.2': 8, 'units.3': 4, activation: 'tanh' }), [
    { kind: 'Dense', width: 16, activation: 'tanh' },
    { kind: 'Dense', width: 8, activation: 'tanh' },
    { kind: 'Dense', width: 4, activation: 'tanh' },
    { kind: 'Dense', width: 3, activation: 'softmax' },
  ]);
  // One layer: units.2 and units.3 are absent from such a config; units sets the width of every layer.
  assert.deepEqual(built(spec, { layers: 1, units: 5, activation: 'elu' }), [
    { kind: 'Dense', width: 5, activation: 'elu' },
    { kind: 'Dense', width: 3, activation: 'softmax' },
  ]);
  // No layers param: model.hidden's count and widths, a per-layer width where given, relu by default.
  assert.deepEqual(built(spec, { 'units.2': 7 }), [
    { kind: 'Dense', width: 128, activation: 'relu' },
    { kind: 'Dense', width: 7, activation: 'relu' },
    { kind: 'Dense', width: 3, activation: 'softmax' },
  ]);
  // More layers than model.hidden lists: the extra ones take its last width. Zero layers: a softmax on the input.
  assert.deepEqual(built(spec, { layers: 3 }).map((l) => l.width), [128, 64, 64, 3]);
  assert.deepEqual(built(spec, { layers: 0 }), [{ kind: 'Dense', width: 3, activation: 'softmax' }]);
});

test('filters.i, kernelSize, pooling and activation build the conv blocks they name', () => {
  const spec: ModelSpec = { type: 'cnn', filters: [8, 16], kernelSize: 3, hidden: [32] };
  const layers = built(spec, { 'filters.1': 4, 'filters.2': 6, kernelSize: 5, pooling: 'avg', activation: 'gelu', units: 12 }, IMAGES);
  assert.deepEqual(layers, [
    { kind: 'Conv2D', width: 4, activation: 'gelu', kernel: 5 },
    { kind: 'AveragePooling2D' },
    { kind: 'Conv2D', width: 6, activation: 'gelu', kernel: 5 },
    { kind: 'AveragePooling2D' },
    { kind: 'Flatten' },
    { kind: 'Dense', width: 12, activation: 'gelu' },
    { kind: 'Dense', width: 10, activation: 'softmax' },
  ]);
  const plain = built(spec, {}, IMAGES);
  assert.deepEqual(plain.slice(0, 2), [{ kind: 'Conv2D', width: 8, activation: 'relu', kernel: 3 }, { kind: 'MaxPooling2D' }]);
});

test('a sampled architecture config builds a model with exactly its active layers', () => {
  const space = parseSpace(
    {
      name: 'arch',
      objective: { metric: 'val_accuracy' },
      task: { data: { builtin: 'mnist' }, model: { type: 'mlp', hidden: [32] } },
      params: { layers: { type: 'int', min: 1, max: 3 }, units: { type: 'categorical', values: [8, 16], perLayer: true } },
      strategy: { type: 'grid' },
    },
    'arch.json',
  );
  assert.deepEqual(Object.keys(space.params), ['layers', 'units.1', 'units.2', 'units.3']);
  const params = { layers: 2, 'units.1': 16, 'units.2': 8 };
  assert.deepEqual(built(space.task.model, params).map((l) => l.width), [16, 8, 3]);
});

test('bad architecture values fail the trial with the param named', () => {
  const spec: ModelSpec = { type: 'mlp', hidden: [8] };
  assert.throws(() => built(spec, { activation: 'relux' }), /param activation must be one of relu/);
  assert.throws(() => built(spec, { layers: 1.5 }), /param layers must be an integer >= 0/);
  // A task module's own buildModel() may read these names its own way: the hyperparams never look at them.
  assert.doesNotThrow(() => resolveHyperparams({ activation: 'leaky', layers: 'deep' }, task(spec)));
  assert.throws(() => built(spec, { 'units.1': 0 }), /param units\.1 must be an integer >= 1/);
});
