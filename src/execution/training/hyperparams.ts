/** The built-in trainer's hyperparameters: read from a trial's params with their defaults, checked, typed. */
import type { Params, ParamValue } from '../../core/types.js';
import { OPTIMIZERS, type OptimizerName, type TaskSpec } from '../../space/types.js';

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
}

function num(params: Params, name: string, fallback: number, ok: (v: number) => boolean, rule: string): number {
  const v: ParamValue | undefined = params[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new Error(`param ${name} must be ${rule}, got ${JSON.stringify(v)}`);
  return v;
}

export function resolveHyperparams(params: Params, task: TaskSpec): Hyperparams {
  const optimizer = params['optimizer'] ?? task.optimizer;
  if (typeof optimizer !== 'string' || !(OPTIMIZERS as readonly string[]).includes(optimizer)) {
    throw new Error(`param optimizer must be one of ${OPTIMIZERS.join(', ')}, got ${JSON.stringify(optimizer)}`);
  }
  const units = params['units'] === undefined ? undefined : num(params, 'units', 0, (v) => Number.isInteger(v) && v >= 1, 'a positive integer');
  return {
    learningRate: num(params, 'learningRate', 0.001, (v) => v > 0, 'a positive number'),
    batchSize: num(params, 'batchSize', 32, (v) => Number.isInteger(v) && v >= 1, 'a positive integer'),
    decay: num(params, 'decay', 0, (v) => v >= 0, 'a number ≥ 0'),
    l2: num(params, 'l2', 0, (v) => v >= 0, 'a number ≥ 0'),
    optimizer: optimizer as OptimizerName,
    momentum: num(params, 'momentum', 0, (v) => v >= 0 && v < 1, 'in [0, 1)'),
    dropout: num(params, 'dropout', 0, (v) => v >= 0 && v < 1, 'in [0, 1)'),
    units,
  };
}

/** The learning rate for 0-based epoch `epoch` (inverse-time decay). */
export function learningRateAt(hp: Pick<Hyperparams, 'learningRate' | 'decay'>, epoch: number): number {
  return hp.learningRate / (1 + hp.decay * epoch);
}
