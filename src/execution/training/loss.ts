/**
 * Categorical cross-entropy on softmax outputs, without tfjs's clipping. tfjs's own clips probabilities to
 * [1e-7, 1-1e-7]: a diverged model then reports a finite loss (≤ 16.1) and saturated samples get zero gradient, so
 * a learning rate of 1e6 looks like a poor but valid trial. Unclipped, divergence shows as NaN/Infinity, as in
 * Keras or PyTorch. Only the true class's probability is logged (y is one-hot), so a confident correct prediction
 * whose other classes underflow to 0 stays finite; results in normal training are identical to tfjs's loss.
 */
import * as tf from '@tensorflow/tfjs';

export function crossEntropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.neg(tf.mean(tf.log(tf.sum(tf.mul(yTrue, yPred), -1)))));
}
