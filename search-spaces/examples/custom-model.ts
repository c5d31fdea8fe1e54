/**
 * A model of your own, trained by tune's loop on tune's data: an MLP whose hidden blocks are dense → batch norm →
 * ReLU. tune compiles it with the tuned optimizer, learning rate, decay and l2 (compile it here to use your own
 * loss and optimizer instead). `width` and `blocks` are params of this module; tune passes them through.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelContext, Params } from 'tfjs-tune';

export function buildModel(params: Params, ctx: ModelContext): tf.LayersModel {
  const width = Number(params['width'] ?? 128);
  const blocks = Number(params['blocks'] ?? 2);
  const model = tf.sequential();
  for (let i = 0; i < blocks; i++) {
    // No bias before batch norm: its beta does that job. Seeded, so a trial's weights are reproducible.
    const first = i === 0 ? { inputShape: [...ctx.inputShape] } : {};
    model.add(tf.layers.dense({ ...first, units: width, useBias: false, kernelInitializer: tf.initializers.heNormal({ seed: ctx.seed + i }) }));
    model.add(tf.layers.batchNormalization());
    model.add(tf.layers.activation({ activation: 'relu' }));
  }
  // Softmax over the classes: tune's loss is categorical cross-entropy on one-hot labels.
  model.add(tf.layers.dense({ units: ctx.outputShape[0]!, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed + blocks }) }));
  return model;
}
