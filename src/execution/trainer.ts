/** One trial's training loop in a worker: epochs, per-epoch decisions, NaN checks, and disposing every tensor. */
import * as tf from '@tensorflow/tfjs';
import { createRng, shuffledIndices } from '../core/rng.js';
import type { Decision, Metrics, TrialOutcome } from '../core/types.js';
import { METRICS } from '../space/types.js';
import type { LabelledData, SplitData } from './data/types.js';
import { readCheckpoint, restoreCheckpoint, saveCheckpoint } from './checkpoint.js';
import { learningRateAt, resolveHyperparams, type Hyperparams } from './hyperparams.js';
import { thrown } from './failures.js';
import { crossEntropy } from './loss.js';
import { buildModel, inputShape, type ModelInput } from './model.js';
import { createOptimizer, disposeOptimizer, setLearningRate } from './optimizer.js';
import type { TrialTask } from './types.js';

export type EpochReporter = (epoch: number, metrics: Metrics) => Promise<Decision>;

export interface TrainResult {
  readonly outcome: TrialOutcome;
  readonly tensorsBefore: number;
  readonly tensorsAfter: number;
  readonly trainSeconds: number;
  readonly samplesTrained: number;
}

const EVAL_BATCH = 512; // evaluation keeps no gradients, so bigger batches are cheaper

function oneHot(labels: Int32Array, numClasses: number, order?: Int32Array): Float32Array {
  const y = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) y[i * numClasses + labels[order ? order[i]! : i]!] = 1;
  return y;
}

/** Rows (in `order`, when given) as [x, one-hot y] tensors. Reordering in JS: tfjs-wasm's gather is ~6× slower. */
function asTensors(data: LabelledData, spec: TrialTask['task']['model'], input: ModelInput, order?: Int32Array): [tf.Tensor, tf.Tensor] {
  const f = data.numFeatures;
  let features = data.features;
  if (order) {
    features = new Float32Array(data.count * f);
    for (let i = 0; i < order.length; i++) features.set(data.features.subarray(order[i]! * f, (order[i]! + 1) * f), i * f);
  }
  return [tf.tensor(features, inputShape(spec, input, data.count), 'float32'), tf.tensor2d(oneHot(data.labels, data.numClasses, order), [data.count, data.numClasses])];
}

async function scalar(t: tf.Tensor | number | undefined): Promise<number> {
  if (t === undefined) return NaN;
  return typeof t === 'number' ? t : ((await t.data())[0] ?? NaN);
}

/** Train one epoch on tensors already in the epoch's seeded order; returns the mean training loss and accuracy. */
async function trainEpoch(model: tf.LayersModel, xs: tf.Tensor, ys: tf.Tensor, batchSize: number): Promise<{ loss: number; accuracy: number }> {
  // shuffle: false — fit's own shuffle uses Math.random; the order is seeded by the caller.
  const history = await model.fit(xs, ys, { batchSize, epochs: 1, shuffle: false, verbose: 0 });
  return { loss: await scalar(history.history['loss']?.[0]), accuracy: await scalar(history.history['acc']?.[0]) };
}

async function evaluate(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): Promise<{ loss: number; accuracy: number }> {
  const out = model.evaluate(x, y, { batchSize: EVAL_BATCH });
  const [loss, accuracy] = Array.isArray(out) ? out : [out];
  try {
    return { loss: await scalar(loss), accuracy: await scalar(accuracy) };
  } finally {
    tf.dispose(out);
  }
}

function firstNonFinite(metrics: Metrics): string | undefined {
  return ['loss', 'val_loss', 'accuracy', 'val_accuracy'].find((k) => !Number.isFinite(metrics[k]));
}

const describe = (v: number | undefined): string => (v === undefined ? 'missing' : Number.isNaN(v) ? 'NaN' : String(v));

/** Layers whose randomness restarts every epoch (seeded dropout), so a resumed trial draws what an unpaused one would. */
interface EpochAware {
  startEpoch(epoch: number): void;
}
const isEpochAware = (layer: object): layer is EpochAware => typeof (layer as Partial<EpochAware>).startEpoch === 'function';

/** Load `task.resumeFrom` into the fresh model and optimizer; returns the epochs it already holds. */
async function resume(task: TrialTask, path: string, model: tf.LayersModel, optimizer: tf.Optimizer): Promise<number> {
  const stored = await readCheckpoint(path);
  const done = stored.manifest.epochs;
  if (task.budget <= done) throw new Error(`checkpoint ${path} already holds ${done} epochs; a budget of ${task.budget} leaves nothing to train`);
  await restoreCheckpoint(path, stored, task.seed, model, optimizer);
  return done;
}

/** What a trial owns and has done so far, so a failure can still dispose everything and report progress. */
interface TrialState {
  model?: tf.LayersModel;
  optimizer?: tf.Optimizer;
  readonly owned: tf.Tensor[];
  trainSeconds: number;
  samplesTrained: number;
  epochs: number;
  last?: Metrics;
}

async function runEpochs(task: TrialTask, data: SplitData, report: EpochReporter, s: TrialState): Promise<TrialOutcome> {
  if (!(METRICS as readonly string[]).includes(task.metric)) throw new Error(`unknown metric '${task.metric}'; expected one of ${METRICS.join(', ')}`);
  const hp: Hyperparams = resolveHyperparams(task.params, task.task);
  const input: ModelInput = data.train;
  const model = (s.model = buildModel(task.task.model, input, hp, task.seed));
  const optimizer = (s.optimizer = createOptimizer(hp));
  model.compile({ optimizer, loss: crossEntropy, metrics: ['accuracy'] });
  // A resumed trial continues at epoch done + 1: same learning-rate schedule, shuffles and masks as if never paused.
  const done = task.resumeFrom === undefined ? 0 : await resume(task, task.resumeFrom, model, optimizer);
  s.epochs = done;
  const [xVal, yVal] = asTensors(data.validation, task.task.model, input);
  s.owned.push(xVal, yVal);

  for (let e = done; e < task.budget; e++) {
    setLearningRate(optimizer, learningRateAt(hp, e));
    for (const layer of model.layers) if (isEpochAware(layer)) layer.startEpoch(e);
    const t0 = performance.now();
    const order = shuffledIndices(data.train.count, createRng(task.seed + e));
    const epochData = asTensors(data.train, task.task.model, input, order);
    let fit: { loss: number; accuracy: number };
    try {
      fit = await trainEpoch(model, epochData[0], epochData[1], hp.batchSize);
    } finally {
      tf.dispose(epochData);
    }
    s.trainSeconds += (performance.now() - t0) / 1000;
    s.samplesTrained += data.train.count;
    const val = await evaluate(model, xVal, yVal);
    const metrics: Metrics = { loss: fit.loss, accuracy: fit.accuracy, val_loss: val.loss, val_accuracy: val.accuracy };
    const bad = firstNonFinite(metrics);
    if (bad !== undefined) {
      // Stop at once: more epochs can't recover. This epoch is not reported; its metrics go with the outcome.
      return { state: 'failed', epochs: s.epochs, metrics, error: { kind: 'nan', message: `${bad} is ${describe(metrics[bad])} at epoch ${e + 1}` } };
    }
    s.epochs = e + 1;
    s.last = metrics;
    const decision = await report(s.epochs, metrics);
    if (decision === 'stop') return { state: 'pruned', value: metrics[task.metric]!, epochs: s.epochs, metrics };
    if (decision === 'pause') {
      // Without a checkpointDir the pause keeps nothing, and a resumed trial would train from zero.
      const checkpoint = task.checkpointDir === undefined ? undefined : await saveCheckpoint(task.checkpointDir, s.epochs, task.seed, model, optimizer);
      return { state: 'paused', value: metrics[task.metric]!, epochs: s.epochs, metrics, ...(checkpoint === undefined ? {} : { checkpoint }) };
    }
  }
  return { state: 'complete', epochs: s.epochs, ...(s.last ? { value: s.last[task.metric]!, metrics: s.last } : {}) };
}

/** Runs `task.budget` epochs (or fewer, as decided); never throws for a trial's own failure. */
export async function train(task: TrialTask, data: SplitData, report: EpochReporter): Promise<TrainResult> {
  const tensorsBefore = tf.memory().numTensors;
  const s: TrialState = { owned: [], trainSeconds: 0, samplesTrained: 0, epochs: 0 };
  let outcome: TrialOutcome;
  try {
    outcome = await runEpochs(task, data, report, s);
  } catch (e) {
    outcome = thrown(e, s.epochs, s.last);
  } finally {
    tf.dispose(s.owned);
    s.model?.dispose();
    if (s.optimizer) disposeOptimizer(s.optimizer); // compile() takes no ownership of an optimizer instance
  }
  return { outcome, tensorsBefore, tensorsAfter: tf.memory().numTensors, trainSeconds: s.trainSeconds, samplesTrained: s.samplesTrained };
}
