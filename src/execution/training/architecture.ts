/**
 * The built-in model's shape for one trial: its hidden widths, conv blocks and activation, from `task.model` and the
 * architecture params (`layers`, `units`, `units.i`, `activation`, `filters`, `filters.i`, `kernelSize`, `pooling`).
 * Read only when tune builds the model, so a task module's own `buildModel()` may read these names its own way. No
 * tfjs here: the main thread reads the defaults for `tune check`.
 */
import type { Params, ParamValue } from '../../core/types.js';
import { ACTIVATIONS, POOLINGS, type ActivationName, type ModelSpec, type PoolingName } from '../../space/types.js';

export interface Architecture {
  /** Units of each hidden dense layer, in order. */
  readonly hidden: readonly number[];
  /** Filters of each conv block (cnn only; empty for an mlp). */
  readonly filters: readonly number[];
  /** The square conv kernel size (cnn only). */
  readonly kernelSize: number;
  /** Activation of every hidden dense and conv layer. */
  readonly activation: ActivationName;
  /** Each conv block's 2×2 pooling. */
  readonly pooling: PoolingName;
}

function int(params: Params, name: string, min: number): number | undefined {
  const v: ParamValue | undefined = params[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new Error(`param ${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function choice<T extends string>(params: Params, name: string, values: readonly T[], fallback: T): T {
  const v = params[name] ?? fallback;
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw new Error(`param ${name} must be one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

/**
 * `layers` sets the count of hidden dense layers (default: model.hidden's); layer i (1-based) is `units.i` wide, else
 * `units`, else model.hidden's i-th width, else its last (64 when model.hidden is empty). Conv blocks work alike with
 * `filters.i`, `filters` and model.filters; `kernelSize` overrides model.kernelSize. Throws for a bad value. `hp.units`,
 * when given, is the already resolved `units`.
 */
export function resolveArchitecture(spec: ModelSpec, params: Params, hp?: { readonly units: number | undefined }): Architecture {
  const widthOf = (list: readonly number[], i: number) => list[i - 1] ?? list.at(-1) ?? 64;
  const units = hp?.units ?? int(params, 'units', 1);
  const count = int(params, 'layers', 0) ?? spec.hidden.length;
  const hidden = Array.from({ length: count }, (_, k) => int(params, `units.${k + 1}`, 1) ?? units ?? widthOf(spec.hidden, k + 1));
  const activation = choice(params, 'activation', ACTIVATIONS, 'relu');
  if (spec.type !== 'cnn') return { hidden, filters: [], kernelSize: 0, activation, pooling: 'max' };
  const every = int(params, 'filters', 1);
  const filters = spec.filters.map((f, k) => int(params, `filters.${k + 1}`, 1) ?? every ?? f);
  return { hidden, filters, kernelSize: int(params, 'kernelSize', 1) ?? spec.kernelSize, activation, pooling: choice(params, 'pooling', POOLINGS, 'max') };
}

/** What the built-in trainer uses for the architecture params a config leaves out, for `tune check`. */
export function architectureDefaults(spec: ModelSpec): Readonly<Record<string, ParamValue>> {
  const cnn: Record<string, ParamValue> = spec.type === 'cnn' ? { kernelSize: spec.kernelSize, pooling: 'max' } : {};
  return { layers: spec.hidden.length, activation: 'relu', ...cnn };
}
