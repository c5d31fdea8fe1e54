/**
 * Dropout with reproducible masks. tfjs's Dropout layer either uses Math.random (no seed) or, given a seed, draws
 * the same mask on every batch. This one draws a fresh seed per training call from a seeded stream.
 * The trainer restarts the stream at every epoch (`startEpoch`), so a trial resumed from a checkpoint at epoch e
 * draws the same masks as one that never paused, without saving the stream's position.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import { trialStreams } from '../../core/rng-streams.js';

export interface SeededDropoutConfig {
  readonly rate: number;
  readonly seed: number;
  readonly name?: string;
}

export class SeededDropout extends tf.layers.Layer {
  static readonly className = 'SeededDropout';
  private readonly rate: number;
  private readonly seed: number;
  private rng: Rng;

  constructor(config: SeededDropoutConfig) {
    super(config.name === undefined ? {} : { name: config.name });
    this.rate = config.rate;
    this.seed = config.seed;
    this.rng = trialStreams.dropoutStart(config.seed);
    this.supportsMasking = true;
  }

  /** Restart the mask stream for 0-based epoch `epoch`: a pure function of the layer's seed and the epoch. */
  startEpoch(epoch: number): void {
    this.rng = trialStreams.dropoutEpoch(this.seed, epoch);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (kwargs['training'] !== true || this.rate === 0) return x;
    const seed = Math.floor(this.rng() * 0x7fffffff);
    return tf.tidy(() => tf.dropout(x, this.rate, undefined, seed));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(SeededDropout);
