/** The built-in models, seeded from the trial seed so the same seed builds the same weights. */
import * as tf from '@tensorflow/tfjs';
import { trialStreams } from '../../core/rng-streams.js';
import type { Params } from '../../core/types.js';
import type { ModelSpec } from '../../space/types.js';
import type { LabelledData } from '../data/types.js';
import { perLayerValue, type Hyperparams } from './hyperparams.js';
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

/** The trial's architecture: its hidden widths and conv blocks, from the model spec and the architecture params. */
export interface Architecture {
  /** Units of each hidden dense layer, in order. */
  readonly hidden: readonly number[];
  /** Filters of each conv block (cnn only). */
  readonly filters: readonly number[];
  readonly kernelSize: number;
}

/**
 * `layers` sets the count of hidden dense layers (default: model.hidden's); layer i (1-based) is `units.i` wide, else
 * `units`, else model.hidden's i-th width, else its last (64 when model.hidden is empty). Conv blocks work alike with
 * `filters.i`, `filters` and model.filters; `kernelSize` overrides model.kernelSize.
 */
export function resolveArchitecture(spec: ModelSpec, params: Params, hp: Hyperparams): Architecture {
  const fallback = (list: readonly number[], i: number) => list[i - 1] ?? list.at(-1) ?? 64;
  const count = hp.layers ?? spec.hidden.length;
  const hidden = Array.from({ length: count }, (_, k) => perLayerValue(params, 'units', k + 1) ?? hp.units ?? fallback(spec.hidden, k + 1));
  if (spec.type !== 'cnn') return { hidden, filters: [], kernelSize: 0 };
  const filters = spec.filters.map((f, k) => perLayerValue(params, 'filters', k + 1) ?? hp.filters ?? f);
  return { hidden, filters, kernelSize: hp.kernelSize ?? spec.kernelSize };
}

function addHidden(model: tf.Sequential, hidden: readonly number[], hp: Hyperparams, seed: number, inputShape?: number[]): void {
  hidden.forEach((width, i) => {
    const first = i === 0 && inputShape !== undefined ? { inputShape } : {};
    model.add(tf.layers.dense({ ...first, units: width, activation: hp.activation, ...weights(seed, `dense-${i}`, hp.l2) }));
    if (hp.dropout > 0) model.add(new SeededDropout({ rate: hp.dropout, seed: trialStreams.dropout(seed, i) }));
  });
}

function addOutput(model: tf.Sequential, input: ModelInput, hp: Hyperparams, seed: number, inputShape?: number[]): void {
  const first = inputShape !== undefined ? { inputShape } : {};
  model.add(tf.layers.dense({ ...first, units: input.numClasses, activation: 'softmax', ...weights(seed, 'output', hp.l2) }));
}

function mlp(model: tf.Sequential, arch: Architecture, input: ModelInput, hp: Hyperparams, seed: number): void {
  addHidden(model, arch.hidden, hp, seed, [input.numFeatures]);
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
    model.add(tf.layers.conv2d({ ...first, filters, kernelSize: arch.kernelSize, padding: 'same', activation: hp.activation, ...weights(seed, `conv-${i}`, hp.l2) }));
    const pool = { poolSize: 2, strides: 2 } as const;
    model.add(hp.pooling === 'avg' ? tf.layers.averagePooling2d(pool) : tf.layers.maxPooling2d(pool));
  });
  model.add(tf.layers.flatten());
  addHidden(model, arch.hidden, hp, seed);
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
