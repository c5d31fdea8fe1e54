/** One trial's training loop in a worker: epochs, per-epoch decisions, NaN checks, and disposing every tensor. */
import * as tf from '@tensorflow/tfjs';
import { shuffledIndices } from '../../core/rng.js';
import { trialStreams } from '../../core/rng-streams.js';
import type { Decision, Metrics, TrialOutcome } from '../../core/types.js';
import { METRICS } from '../../space/types.js';
import { restoreCheckpoint, saveCheckpoint } from '../checkpoint/checkpoint.js';
import { checkpointStoreFor } from '../checkpoint/stores.js';
import { learningRateAt, resolveHyperparams, type Hyperparams } from './hyperparams.js';
import { thrown } from '../failures.js';
import { setLearningRate } from './optimizer.js';
import type { SplitData } from '../data/types.js';
import { asTrainingData, gather, type Rows, type TrainingData } from './task-data.js';
import type { LoadedModule } from '../task-module/task-module.js';
import { createTrialModel, type TrialModel } from './trial-model.js';
import type { TrialTask } from '../types.js';
import type { ModelKeeping } from '../models/kept-models.js';
import { ModelKeeper } from '../models/model-save.js';

export type EpochReporter = (epoch: number, metrics: Metrics) => Promise<Decision>;

export interface TrainResult {
  readonly outcome: TrialOutcome;
  /** What was kept of the model (`task.keepModel`); absent when nothing was written. */
  readonly model?: ModelKeeping;
  readonly tensorsBefore: number;
  readonly tensorsAfter: number;
  readonly trainSeconds: number;
  readonly samplesTrained: number;
}

const EVAL_BATCH = 512; // evaluation keeps no gradients, so bigger batches are cheaper

/** Rows (in `order`, when given) as [x, y] tensors. Reordering in JS: tfjs-wasm's gather is ~6× slower. */
function asTensors(rows: Rows, tm: TrialModel, order?: Int32Array): [tf.Tensor, tf.Tensor] {
  const { x, y } = gather(rows, order);
  return [tf.tensor(x, tm.inputShape(rows.count), 'float32'), tf.tensor(y, [rows.count, ...rows.yShape], 'float32')];
}

async function scalar(t: tf.Tensor | number | undefined): Promise<number> {
  if (t === undefined) return NaN;
  return typeof t === 'number' ? t : ((await t.data())[0] ?? NaN);
}

/** tfjs calls the accuracy metric 'acc'; tune's metric names say 'accuracy'. Other names are kept as compiled. */
const metricName = (name: string): string => (name === 'acc' ? 'accuracy' : name);

/** Train one epoch on tensors already in the epoch's seeded order; returns the mean training loss and metrics. */
async function trainEpoch(model: tf.LayersModel, xs: tf.Tensor, ys: tf.Tensor, batchSize: number): Promise<Record<string, number>> {
  // shuffle: false — fit's own shuffle uses Math.random; the order is seeded by the caller.
  const history = await model.fit(xs, ys, { batchSize, epochs: 1, shuffle: false, verbose: 0 });
  const out: Record<string, number> = {};
  for (const [name, values] of Object.entries(history.history)) out[metricName(name)] = await scalar(values[0]);
  return out;
}

async function evaluate(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): Promise<Record<string, number>> {
  const out = model.evaluate(x, y, { batchSize: EVAL_BATCH });
  const values = Array.isArray(out) ? out : [out];
  try {
    const metrics: Record<string, number> = {};
    for (const [i, name] of model.metricsNames.entries()) metrics[`val_${metricName(name)}`] = await scalar(values[i]);
    return metrics;
  } finally {
    tf.dispose(out);
  }
}

function firstNonFinite(metrics: Metrics): string | undefined {
  return Object.keys(metrics).find((k) => !Number.isFinite(metrics[k]));
}

const describe = (v: number | undefined): string => (v === undefined ? 'missing' : Number.isNaN(v) ? 'NaN' : String(v));

/** Layers whose randomness restarts every epoch (seeded dropout), so a resumed trial draws what an unpaused one would. */
interface EpochAware {
  startEpoch(epoch: number): void;
}
const isEpochAware = (layer: object): layer is EpochAware => typeof (layer as Partial<EpochAware>).startEpoch === 'function';

/** Load `task.resumeFrom` into the fresh model and optimizer; returns the epochs it already holds. */
async function resume(task: TrialTask, path: string, model: tf.LayersModel, optimizer: tf.Optimizer): Promise<number> {
  const stored = await checkpointStoreFor(task.checkpointStore).read(path, 'model');
  const done = stored.manifest.epochs;
  if (task.budget <= done) throw new Error(`checkpoint ${path} already holds ${done} epochs; a budget of ${task.budget} leaves nothing to train`);
  await restoreCheckpoint(path, stored, task.seed, model, optimizer);
  return done;
}

/** What a trial owns and has done so far, so a failure can still dispose everything and report progress. */
interface TrialState {
  model?: TrialModel;
  readonly owned: tf.Tensor[];
  trainSeconds: number;
  samplesTrained: number;
  epochs: number;
  last?: Metrics;
  keeper?: ModelKeeper;
  kept?: ModelKeeping;
}

/** The trial's value from an epoch's metrics; a model compiled by a module may not report the metric asked for. */
function valueOf(metrics: Metrics, metric: string): number {
  const value = metrics[metric];
  if (value === undefined) {
    throw new Error(`the model reports ${Object.keys(metrics).join(', ')}, not '${metric}': compile it with the metric, or change objective.metric`);
  }
  return value;
}

async function runEpochs(task: TrialTask, data: TrainingData, report: EpochReporter, s: TrialState, module?: LoadedModule): Promise<TrialOutcome> {
  const hp: Hyperparams = resolveHyperparams(task.params, task.task);
  const tm = (s.model = await createTrialModel(task, data, hp, module));
  const { model, optimizer } = tm;
  // An engine-compiled model reports exactly METRICS, so a wrong metric fails before any training.
  if (tm.engineCompiled && !(METRICS as readonly string[]).includes(task.metric)) throw new Error(`unknown metric '${task.metric}'; expected one of ${METRICS.join(', ')}`);
  // A resumed trial continues at epoch done + 1: same learning-rate schedule, shuffles and masks as if never paused.
  const done = task.resumeFrom === undefined ? 0 : await resume(task, task.resumeFrom, model, optimizer);
  s.epochs = done;
  const [xVal, yVal] = asTensors(data.validation, tm);
  s.owned.push(xVal, yVal);
  const keeper = (s.keeper = task.keepModel === undefined ? undefined : new ModelKeeper(task.keepModel, task.metric));

  for (let e = done; e < task.budget; e++) {
    // A model the module compiled keeps its own optimizer settings.
    if (tm.engineCompiled) setLearningRate(optimizer, learningRateAt(hp, e));
    for (const layer of model.layers) if (isEpochAware(layer)) layer.startEpoch(e);
    const t0 = performance.now();
    const order = shuffledIndices(data.train.count, trialStreams.epochShuffle(task.seed, e));
    const epochData = asTensors(data.train, tm, order);
    let fit: Record<string, number>;
    try {
      fit = await trainEpoch(model, epochData[0], epochData[1], hp.batchSize);
    } finally {
      tf.dispose(epochData);
    }
    s.trainSeconds += (performance.now() - t0) / 1000;
    s.samplesTrained += data.train.count;
    const metrics: Metrics = { ...fit, ...(await evaluate(model, xVal, yVal)) };
    const bad = firstNonFinite(metrics);
    if (bad !== undefined) {
      // Stop at once: more epochs can't recover. This epoch is not reported; its metrics go with the outcome.
      return { state: 'failed', epochs: s.epochs, metrics, error: { kind: 'nan', message: `${bad} is ${describe(metrics[bad])} at epoch ${e + 1}` } };
    }
    const value = valueOf(metrics, task.metric);
    s.epochs = e + 1;
    s.last = metrics;
    keeper?.observe(model, s.epochs, value);
    const decision = await report(s.epochs, metrics);
    if (decision === 'stop') return { state: 'pruned', value, epochs: s.epochs, metrics };
    if (decision === 'pause') {
      // Without a checkpointDir the pause keeps nothing, and a resumed trial would train from zero.
      const checkpoint = task.checkpointDir === undefined ? undefined : await saveCheckpoint(checkpointStoreFor(task.checkpointStore), task.checkpointDir, s.epochs, task.seed, model, optimizer);
      s.kept = await keeper?.finish(model, 'paused'); // after the checkpoint: it may load the best epoch's weights
      return { state: 'paused', value, epochs: s.epochs, metrics, ...(checkpoint === undefined ? {} : { checkpoint }) };
    }
  }
  s.kept = await keeper?.finish(model, 'complete');
  return { state: 'complete', epochs: s.epochs, ...(s.last ? { value: s.last[task.metric]!, metrics: s.last } : {}) };
}

/**
 * Runs `task.budget` epochs (or fewer, as decided); never throws for a trial's own failure. `module`, when the
 * task has one, may supply the model (its data is already in `data`).
 */
export async function train(task: TrialTask, data: TrainingData | SplitData, report: EpochReporter, module?: LoadedModule): Promise<TrainResult> {
  const tensorsBefore = tf.memory().numTensors;
  const s: TrialState = { owned: [], trainSeconds: 0, samplesTrained: 0, epochs: 0 };
  let outcome: TrialOutcome;
  try {
    outcome = await runEpochs(task, asTrainingData(data), report, s, module);
  } catch (e) {
    outcome = thrown(e, s.epochs, s.last);
  } finally {
    tf.dispose(s.owned);
    s.keeper?.dispose();
    s.model?.dispose();
  }
  return { outcome, ...(s.kept !== undefined ? { model: s.kept } : {}), tensorsBefore, tensorsAfter: tf.memory().numTensors, trainSeconds: s.trainSeconds, samplesTrained: s.samplesTrained };
}
