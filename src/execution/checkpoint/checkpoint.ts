/**
 * A training trial's checkpoint: the model's weights and the optimizer's state, to disk and back (worker side).
 * The shuffling order and the dropout masks are derived per epoch from the trial seed, so nothing else is saved.
 */
import * as tf from '@tensorflow/tfjs';
import { errorMessage } from '../failures.js';
import { BYTES_PER_VALUE, shapeMismatch, valueCount, type CheckpointManifest, type WeightDtype, type WeightSpec } from './checkpoint-format.js';
import type { StoredCheckpoint } from './checkpoint-store.js';
import type { CheckpointStore } from './store.js';
import { optimizerState, restoreOptimizerState, type NamedTensor } from './optimizer-state.js';

function dtypeOf(t: NamedTensor): WeightDtype {
  if (t.tensor.dtype === 'float32' || t.tensor.dtype === 'int32') return t.tensor.dtype;
  throw new Error(`cannot checkpoint '${t.name}' of dtype ${t.tensor.dtype}`);
}

/** Each tensor's spec and raw bytes (host order, little-endian on every platform Node runs on). */
async function snapshot(tensors: readonly NamedTensor[]): Promise<{ specs: WeightSpec[]; chunks: Uint8Array[] }> {
  const specs: WeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  for (const t of tensors) {
    specs.push({ name: t.name, shape: [...t.tensor.shape], dtype: dtypeOf(t) });
    const values = (await t.tensor.data()) as Float32Array | Int32Array;
    chunks.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  return { specs, chunks };
}

/** Write a checkpoint of `epochs` done into the store's slot `dir`; returns the checkpoint's ref. */
export async function saveCheckpoint(store: CheckpointStore, dir: string, epochs: number, seed: number, model: tf.LayersModel, optimizer: tf.Optimizer): Promise<string> {
  const state = await optimizerState(optimizer);
  try {
    // LayerVariable.read() is the live variable, not a copy: nothing to dispose.
    const m = await snapshot(model.weights.map((w) => ({ name: w.originalName, tensor: w.read() })));
    const o = await snapshot(state.weights);
    const x = await snapshot(state.extras);
    const manifest = { format: 'tune-checkpoint', version: 1, epochs, seed, optimizer: optimizer.getClassName(), model: m.specs, optimizerWeights: o.specs, optimizerExtras: x.specs } as const;
    return await store.write(dir, { kind: 'model', manifest, chunks: [...m.chunks, ...o.chunks, ...x.chunks] });
  } catch (e) {
    throw new Error(`checkpoint ${dir}: could not write: ${errorMessage(e)}`, { cause: e });
  } finally {
    state.release();
  }
}

/** Why the checkpoint can't go into this model and optimizer, or undefined when it fits. */
function misfit(m: CheckpointManifest, seed: number, model: tf.LayersModel, optimizer: tf.Optimizer): string | undefined {
  if (m.seed !== seed) return `it was written by a trial with seed ${m.seed}, this trial's seed is ${seed}`;
  if (m.optimizer !== optimizer.getClassName()) return `it holds ${m.optimizer} state, this trial uses ${optimizer.getClassName()}`;
  const weights = model.weights;
  if (m.model.length !== weights.length) return `it holds ${m.model.length} model weights, the model has ${weights.length}`;
  for (const [i, spec] of m.model.entries()) {
    const w = weights[i]!;
    const bad = shapeMismatch(spec.shape, w.shape as number[]) ?? (spec.dtype === w.dtype ? undefined : `dtype ${spec.dtype} where the model has ${w.dtype}`);
    if (bad !== undefined) return `model weight ${i} ('${spec.name}') has ${bad}`;
  }
  // The optimizer's accumulators follow the trainable weights, in order, once per kind ('iter' comes first).
  const trainable = model.trainableWeights;
  const [iter, ...slots] = m.optimizerWeights;
  if (iter === undefined || iter.shape.length !== 0) return 'its optimizer state does not start with the iteration count';
  if (trainable.length === 0 ? slots.length !== 0 : slots.length % trainable.length !== 0) {
    return `its ${slots.length} optimizer accumulators don't fit the model's ${trainable.length} trainable weights`;
  }
  for (const [i, spec] of slots.entries()) {
    const bad = shapeMismatch(spec.shape, trainable[i % trainable.length]!.shape as number[]);
    if (bad !== undefined) return `optimizer accumulator ${i} ('${spec.name}') has ${bad}`;
  }
  return undefined;
}

/** Slice weights.bin into tensors, in manifest order. Copies, so each typed array is aligned whatever the Buffer's offset. */
function tensorsOf(specs: readonly WeightSpec[], weights: Buffer, offset: number): { named: NamedTensor[]; end: number } {
  const named: NamedTensor[] = [];
  let at = offset;
  for (const spec of specs) {
    const n = valueCount(spec.shape);
    const values = spec.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
    new Uint8Array(values.buffer).set(weights.subarray(at, at + n * BYTES_PER_VALUE));
    at += n * BYTES_PER_VALUE;
    named.push({ name: spec.name, tensor: tf.tensor(values, [...spec.shape], spec.dtype) });
  }
  return { named, end: at };
}

/** Load a verified checkpoint into a freshly built, compiled model and its optimizer (before any training step). */
export async function restoreCheckpoint(path: string, stored: StoredCheckpoint, seed: number, model: tf.LayersModel, optimizer: tf.Optimizer): Promise<void> {
  const m = stored.manifest;
  const bad = misfit(m, seed, model, optimizer);
  if (bad !== undefined) throw new Error(`checkpoint ${path} does not fit this trial: ${bad}`);
  const created: tf.Tensor[] = [];
  try {
    const weights = tensorsOf(m.model, stored.weights, 0);
    created.push(...weights.named.map((t) => t.tensor));
    const opt = tensorsOf(m.optimizerWeights, stored.weights, weights.end);
    created.push(...opt.named.map((t) => t.tensor));
    const extras = tensorsOf(m.optimizerExtras, stored.weights, opt.end);
    created.push(...extras.named.map((t) => t.tensor));
    model.setWeights(weights.named.map((t) => t.tensor));
    await restoreOptimizerState(optimizer, opt.named, extras.named);
  } catch (e) {
    throw new Error(`checkpoint ${path}: could not restore: ${errorMessage(e)}`, { cause: e });
  } finally {
    tf.dispose(created); // the model's and optimizer's variables hold their own references
  }
}
