/** Optimizers and per-epoch learning rates. tfjs 4.22's optimizers read their rate differently, hence setLearningRate. */
import * as tf from '@tensorflow/tfjs';
import type { Hyperparams } from './hyperparams.js';

export function createOptimizer(hp: Pick<Hyperparams, 'optimizer' | 'learningRate' | 'momentum'>): tf.Optimizer {
  switch (hp.optimizer) {
    case 'adam':
      return tf.train.adam(hp.learningRate);
    case 'sgd':
      return hp.momentum > 0 ? tf.train.momentum(hp.learningRate, hp.momentum) : tf.train.sgd(hp.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(hp.learningRate, 0.9, hp.momentum);
  }
}

/**
 * SGD and Momentum cache `-rate` in a kept scalar, so they need `setLearningRate`; Adam and RMSProp read their
 * (protected) `learningRate` field on every step, so assigning it is enough.
 */
export function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  // Not `instanceof tf.SGDOptimizer`: tfjs overrides Symbol.hasInstance with a duck test that Adam passes too.
  const o = optimizer as unknown as { learningRate?: unknown; setLearningRate?: unknown };
  if (typeof o.setLearningRate === 'function') {
    (optimizer as tf.SGDOptimizer).setLearningRate(rate);
    return;
  }
  if (typeof o.learningRate !== 'number') throw new Error(`don't know how to set the learning rate of ${optimizer.getClassName()}`);
  o.learningRate = rate;
}

/** The rate the optimizer will use on its next step. */
export function getLearningRate(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}

/**
 * Dispose an optimizer and all its state. tfjs 4.22's MomentumOptimizer.dispose() forgets the kept learning-rate
 * scalar `c` that SGDOptimizer owns, leaking one tensor per trial; dispose it too (a second dispose is a no-op).
 */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  const c = (optimizer as unknown as { c?: unknown }).c;
  if (c instanceof tf.Tensor) c.dispose();
}
