/**
 * An optimizer's whole state as named tensors, and putting it back: what a checkpoint needs so a resumed trial
 * steps exactly as one that never paused.
 *
 * tfjs 4.22's getWeights()/setWeights() cover the iteration count and the per-weight accumulators (Adam's moments,
 * RMSProp's mean squares and moments, Momentum's accumulations), and setWeights works on a fresh optimizer whose
 * accumulators don't exist yet. They miss one thing: Adam's running powers beta1^t and beta2^t, which setWeights
 * recomputes with pow(); that can differ in the last bit from the products training built up, so they are saved too.
 */
import * as tf from '@tensorflow/tfjs';

/** tfjs's NamedTensor (not re-exported by @tensorflow/tfjs). */
export interface NamedTensor {
  readonly name: string;
  readonly tensor: tf.Tensor;
}

/** Private Variable fields that getWeights() leaves out, per optimizer class name. */
const EXTRA_FIELDS: Readonly<Record<string, readonly string[]>> = { Adam: ['accBeta1', 'accBeta2'] };

export const extraFieldsOf = (optimizer: tf.Optimizer): readonly string[] => EXTRA_FIELDS[optimizer.getClassName()] ?? [];

function privateVariable(optimizer: tf.Optimizer, field: string): tf.Variable {
  const v = (optimizer as unknown as Record<string, unknown>)[field];
  // A tfjs upgrade that renames the field must fail loudly, not resume with the wrong bias correction.
  if (!(v instanceof tf.Variable)) throw new Error(`${optimizer.getClassName()} has no variable '${field}' (tfjs changed?)`);
  return v;
}

export interface OptimizerState {
  /** `optimizer.getWeights()`, in order: 'iter' first, then the accumulators. */
  readonly weights: readonly NamedTensor[];
  readonly extras: readonly NamedTensor[];
  /** Dispose what getWeights() created for the snapshot (the 'iter' scalar); the rest is the optimizer's own. */
  release(): void;
}

export async function optimizerState(optimizer: tf.Optimizer): Promise<OptimizerState> {
  const weights = await optimizer.getWeights();
  const extras = extraFieldsOf(optimizer).map((name) => ({ name, tensor: privateVariable(optimizer, name) }));
  const created = weights.map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable));
  return { weights, extras, release: () => tf.dispose(created) };
}

/**
 * Put a saved state into a freshly built optimizer (before its first step). The optimizer takes its own references
 * to the tensors' data, so the caller still disposes the tensors it passed.
 */
export async function restoreOptimizerState(optimizer: tf.Optimizer, weights: readonly NamedTensor[], extras: readonly NamedTensor[]): Promise<void> {
  const expected = extraFieldsOf(optimizer);
  const names = extras.map((e) => e.name);
  if (names.length !== expected.length || names.some((n, i) => n !== expected[i])) {
    throw new Error(`optimizer extras [${names.join(', ')}] don't match ${optimizer.getClassName()}'s [${expected.join(', ')}]`);
  }
  await optimizer.setWeights([...weights]);
  for (const { name, tensor } of extras) privateVariable(optimizer, name).assign(tensor);
}
