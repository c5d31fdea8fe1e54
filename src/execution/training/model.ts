/** The built-in models, seeded from the trial seed so the same seed builds the same weights. */
import * as tf from '@tensorflow/tfjs';
import { trialStreams } from '../../core/rng-streams.js';
import type { Params } from '../../core/types.js';
import type { ModelSpec } from '../../space/types.js';
import type { LabelledData } from '../data/types.js';
import { resolveArchitecture, type Architecture } from './architecture.js';
import type { Hyperparams } from './hyperparams.js';
import { SeededDropout } from './seeded-dropout.js';

export interface ModelInput {
  readonly numFeatures: number;
  readonly numClasses: number;
  readonly imageShape?: LabelledData['imageShape'];
}

/** Every weight-bearing layer's options: a seeded initializer and, with l2 > 0, a kernel regulariser. */
function weights(seed: number, stream: Parameters<typeof trialStreams.layerInit>[1], l2: number) {
  return {
    kernelInitializer: tf.initializers.glorotUniform({ seed: trialStreams.layerInit(seed, stream) }),
    biasInitializer: 'zeros' as const,
    ...(l2 > 0 ? { kernelRegularizer: tf.regularizers.l2({ l2 }) } : {}),
  };
}

function addHidden(model: tf.Sequential, arch: Architecture, hp: Hyperparams, seed: number, inputShape?: number[]): void {
  arch.hidden.forEach((width, i) => {
    const first = i === 0 && inputShape !== undefined ? { inputShape } : {};
    model.add(tf.layers.dense({ ...first, units: width, activation: arch.activation, ...weights(seed, `dense-${i}`, hp.l2) }));
    if (hp.dropout > 0) model.add(new SeededDropout({ rate: hp.dropout, seed: trialStreams.dropout(seed, i) }));
  });
}

function addOutput(model: tf.Sequential, input: ModelInput, hp: Hyperparams, seed: number, inputShape?: number[]): void {
  const first = inputShape !== undefined ? { inputShape } : {};
  model.add(tf.layers.dense({ ...first, units: input.numClasses, activation: 'softmax', ...weights(seed, 'output', hp.l2) }));
}

function mlp(model: tf.Sequential, arch: Architecture, input: ModelInput, hp: Hyperparams, seed: number): void {
  addHidden(model, arch, hp, seed, [input.numFeatures]);
  addOutput(model, input, hp, seed, arch.hidden.length === 0 ? [input.numFeatures] : undefined);
}

function cnn(model: tf.Sequential, arch: Architecture, input: ModelInput, hp: Hyperparams, seed: number): void {
  const shape = input.imageShape;
  if (shape === undefined || shape[0] * shape[1] * shape[2] !== input.numFeatures) {
    throw new Error(`a cnn needs image data (28×28×1, as mnist); this data has ${input.numFeatures} plain features per row`);
  }
  if (arch.filters.length === 0) throw new Error('a cnn needs at least one conv layer (filters is empty)');
  arch.filters.forEach((filters, i) => {
    const first = i === 0 ? { inputShape: [...shape] } : {};
    // 'same' padding keeps sizes predictable: each block halves height and width.
    model.add(tf.layers.conv2d({ ...first, filters, kernelSize: arch.kernelSize, padding: 'same', activation: arch.activation, ...weights(seed, `conv-${i}`, hp.l2) }));
    const pool = { poolSize: 2, strides: 2 } as const;
    model.add(arch.pooling === 'avg' ? tf.layers.averagePooling2d(pool) : tf.layers.maxPooling2d(pool));
  });
  model.add(tf.layers.flatten());
  addHidden(model, arch, hp, seed);
  addOutput(model, input, hp, seed);
}

/** Build (uncompiled) the model a task describes. Throws for a model that doesn't fit the data. */
export function buildModel(spec: ModelSpec, input: ModelInput, hp: Hyperparams, seed: number, params: Params = {}): tf.Sequential {
  const arch = resolveArchitecture(spec, params, hp);
  const model = tf.sequential();
  try {
    if (spec.type === 'mlp') mlp(model, arch, input, hp, seed);
    else cnn(model, arch, input, hp, seed);
    return model;
  } catch (e) {
    model.dispose(); // layers added before the failure already own weights
    throw e;
  }
}

/** Rows → the model's input shape: [n, features] for an mlp, [n, h, w, c] for a cnn. */
export function inputShape(spec: ModelSpec, input: ModelInput, rows: number): number[] {
  return spec.type === 'cnn' && input.imageShape !== undefined ? [rows, ...input.imageShape] : [rows, input.numFeatures];
}
