/** The built-in trainer's hyperparameters: read from a trial's params with their defaults, checked, typed. */
import type { Params, ParamValue } from '../../core/types.js';
import { ACTIVATIONS, OPTIMIZERS, POOLINGS, type ActivationName, type OptimizerName, type PoolingName, type TaskSpec } from '../../space/types.js';

export interface Hyperparams {
  /** The optimizer's initial rate. */
  readonly learningRate: number;
  readonly batchSize: number;
  /** Rate at 0-based epoch e is learningRate / (1 + decay·e). */
  readonly decay: number;
  /** L2 kernel regularisation on every Dense/Conv layer. */
  readonly l2: number;
  readonly optimizer: OptimizerName;
  /** sgd: momentum optimizer when > 0; rmsprop: its momentum. Ignored by adam. */
  readonly momentum: number;
  /** Dropout rate after each hidden Dense layer. */
  readonly dropout: number;
  /** When set, the width of every hidden Dense layer (their count is kept). */
  readonly units: number | undefined;
  /** When set, the number of hidden Dense layers (else model.hidden's count). */
  readonly layers: number | undefined;
  /** Activation of every hidden Dense and Conv2D layer. */
  readonly activation: ActivationName;
  /** cnn: when set, the filters of every conv block (their count is kept). */
  readonly filters: number | undefined;
  /** cnn: when set, the square kernel size of every conv layer (else model.kernelSize). */
  readonly kernelSize: number | undefined;
  /** cnn: each block's 2×2 pooling. */
  readonly pooling: PoolingName;
}

function num(params: Params, name: string, fallback: number, ok: (v: number) => boolean, rule: string): number {
  const v: ParamValue | undefined = params[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new Error(`param ${name} must be ${rule}, got ${JSON.stringify(v)}`);
  return v;
}

function choice<T extends string>(params: Params, name: string, values: readonly T[], fallback: T): T {
  const v = params[name] ?? fallback;
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw new Error(`param ${name} must be one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

const positiveInt = (v: number): boolean => Number.isInteger(v) && v >= 1;

/** An optional integer param: undefined when the config leaves it out. */
function optionalInt(params: Params, name: string, min: number): number | undefined {
  return params[name] === undefined ? undefined : num(params, name, 0, (v) => Number.isInteger(v) && v >= min, `an integer >= ${min}`);
}

/** The width of hidden layer `i` (1-based) that `units.i` sets, if the config has it. */
export function perLayerValue(params: Params, base: 'units' | 'filters', i: number): number | undefined {
  return optionalInt(params, `${base}.${i}`, 1);
}

export function resolveHyperparams(params: Params, task: TaskSpec): Hyperparams {
  const optimizer = params['optimizer'] ?? task.optimizer;
  if (typeof optimizer !== 'string' || !(OPTIMIZERS as readonly string[]).includes(optimizer)) {
    throw new Error(`param optimizer must be one of ${OPTIMIZERS.join(', ')}, got ${JSON.stringify(optimizer)}`);
  }
  const units = params['units'] === undefined ? undefined : num(params, 'units', 0, positiveInt, 'a positive integer');
  return {
    learningRate: num(params, 'learningRate', 0.001, (v) => v > 0, 'a positive number'),
    batchSize: num(params, 'batchSize', 32, (v) => Number.isInteger(v) && v >= 1, 'a positive integer'),
    decay: num(params, 'decay', 0, (v) => v >= 0, 'a number ≥ 0'),
    l2: num(params, 'l2', 0, (v) => v >= 0, 'a number ≥ 0'),
    optimizer: optimizer as OptimizerName,
    momentum: num(params, 'momentum', 0, (v) => v >= 0 && v < 1, 'in [0, 1)'),
    dropout: num(params, 'dropout', 0, (v) => v >= 0 && v < 1, 'in [0, 1)'),
    units,
    layers: optionalInt(params, 'layers', 0),
    activation: choice(params, 'activation', ACTIVATIONS, 'relu'),
    filters: optionalInt(params, 'filters', 1),
    kernelSize: optionalInt(params, 'kernelSize', 1),
    pooling: choice(params, 'pooling', POOLINGS, 'max'),
  };
}

/** The learning rate for 0-based epoch `epoch` (inverse-time decay). */
export function learningRateAt(hp: Pick<Hyperparams, 'learningRate' | 'decay'>, epoch: number): number {
  return hp.learningRate / (1 + hp.decay * epoch);
}
