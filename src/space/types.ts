import type { Reduce } from '../core/objective.js';
import type { Direction, Params, ParamValue } from '../core/types.js';
import type { PrunerSpec } from './pruner-schema.js';

export type { PrunerSpec } from './pruner-schema.js';

/** The normalised, validated space. Produced by `loadSpace`/`parseSpace`, frozen, plain data. */

/**
 * A param's condition (`"when"` in the file): it is active only when every named param is active and takes one of the
 * listed values; otherwise it is absent from the config. Values are always lists once normalised.
 */
export type Condition = Readonly<Record<string, readonly ParamValue[]>>;
type Conditional = { readonly when?: Condition };

export type FloatParam = { readonly type: 'float'; readonly min: number; readonly max: number; readonly log: boolean; readonly step?: number } & Conditional;
export type IntParam = { readonly type: 'int'; readonly min: number; readonly max: number; readonly log: boolean; readonly step: number } & Conditional;
export type CategoricalParam = { readonly type: 'categorical'; readonly values: readonly ParamValue[] } & Conditional;
export type FixedParam = { readonly type: 'fixed'; readonly value: ParamValue } & Conditional;
export type ParamSpec = FloatParam | IntParam | CategoricalParam | FixedParam;

/** The hyperparameter names the built-in trainer understands. */
export const KNOWN_PARAMS = [
  'learningRate', 'batchSize', 'decay', 'l2', 'optimizer', 'momentum', 'dropout', 'units',
  'layers', 'activation', 'filters', 'kernelSize', 'pooling',
] as const;
export type KnownParam = (typeof KNOWN_PARAMS)[number];

/**
 * Params that `"perLayer": true` expands into one param per layer or block, `units.1` … `units.N`
 * (space/per-layer.ts). Each expanded name follows its base name's rule.
 */
export const PER_LAYER_PARAMS = ['units', 'filters'] as const satisfies readonly KnownParam[];
export type PerLayerParam = (typeof PER_LAYER_PARAMS)[number];

/** The hidden layers' activations (tfjs-layers' names); `relu` unless `activation` says otherwise. */
export const ACTIVATIONS = ['relu', 'elu', 'selu', 'gelu', 'swish', 'mish', 'tanh', 'sigmoid', 'softplus', 'linear'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** A cnn block's pooling: 2×2 max or average pooling (stride 2). */
export const POOLINGS = ['max', 'avg'] as const;
export type PoolingName = (typeof POOLINGS)[number];

export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export const METRICS = ['val_accuracy', 'val_loss', 'accuracy', 'loss'] as const;
export type MetricName = (typeof METRICS)[number];

/**
 * CSV data. `csv` (and `validation.csv`) are absolute paths, resolved against the space file's folder. Without
 * `validation` or `split`, `validationSplit` holds out a random fraction; with one of them, the user's split is used.
 */
export interface CsvDataSpec {
  readonly csv: string;
  readonly label: string;
  /** A separate validation file with the same columns. */
  readonly validation?: { readonly csv: string };
  /** A column whose value marks each row train or validation (see SPLIT_VALUES in execution/data/csv-split.ts). */
  readonly split?: string;
}

export type DataSpec = { readonly builtin: 'mnist'; readonly limit?: number } | CsvDataSpec;

export type ModelSpec =
  | { readonly type: 'mlp'; readonly hidden: readonly number[] }
  | { readonly type: 'cnn'; readonly filters: readonly number[]; readonly kernelSize: number; readonly hidden: readonly number[] };

export interface TaskSpec {
  /**
   * Your own code (absolute path): a .js, .mjs or .ts file exporting `loadData`, `buildModel` and/or `objective`,
   * loaded in the worker threads. What it doesn't export comes from `data` and `model`.
   */
  readonly module?: string;
  /** The built-in data; absent only with a `module` that loads its own data (or runs its own objective). */
  readonly data?: DataSpec;
  /** Fraction of the data held out for validation, split by the study seed. */
  readonly validationSplit: number;
  readonly model: ModelSpec;
  readonly optimizer: OptimizerName;
  /** Epochs each trial trains (its budget) unless the strategy says otherwise. */
  readonly epochs: number;
}

/** The rung ladder shared by the multi-fidelity strategies: budgets in epochs from `minEpochs` up to `maxEpochs`, ×`eta` per rung. */
export interface FidelitySpec {
  readonly eta: number;
  readonly minEpochs: number;
  readonly maxEpochs: number;
  /**
   * The rung budgets (`rungBudgets` of the three fields above), derived once when the space is normalised; read them
   * with `rungLadder(spec)`, which also serves a spec built in code or read back from storage. Not a file field:
   * normalisation defines it as a non-enumerable property, so the stored definition, the signature and equality
   * checks see only what the file said.
   */
  readonly budgets?: readonly number[];
}

/** Options of the TPE model (Bergstra et al. 2011), shared by `tpe`, `bohb` and `asha` with `sampler: 'tpe'`. */
export interface TpeOptions {
  /** Observations before the model is used; until then configs are random. */
  readonly startup: number;
  /** Configs drawn from l(x) per proposal; the one maximising l(x)/g(x) is proposed. */
  readonly candidates: number;
  /** Quantile of the observations that forms the good set (at most 25 observations). */
  readonly gamma: number;
  /** One kernel over all params (true) or independent per-param estimators. */
  readonly multivariate: boolean;
}

/** Tree-structured Parzen Estimator: `trials` configs, each trained `task.epochs`. */
export type TpeSpec = { readonly type: 'tpe'; readonly trials: number } & TpeOptions;

/** Where multi-fidelity strategies get new configs: random search, or a TPE model fitted on the highest rung with enough values. */
export const SAMPLERS = ['random', 'tpe'] as const;
export type SamplerName = (typeof SAMPLERS)[number];

/**
 * BOHB (Falkner et al. 2018): Hyperband's brackets, new configs from a TPE model (a `randomFraction` of them random).
 * `startup` here is the fewest values a rung needs before a model is fitted on it (absent: searched params + 2).
 */
export type BohbSpec = {
  readonly type: 'bohb';
  readonly iterations: number;
  readonly randomFraction: number;
  readonly startup?: number;
} & Omit<TpeOptions, 'startup'> &
  FidelitySpec;

export type StrategySpec =
  | { readonly type: 'random'; readonly trials: number }
  | { readonly type: 'grid'; readonly trials?: number }
  /** Synchronous successive halving; `trials` is the size of the first rung (default eta^K, K the rung count minus one). */
  | ({ readonly type: 'successive-halving'; readonly trials?: number } & FidelitySpec)
  /** Hyperband (Li et al. 2018, Algorithm 1); `iterations` repeats the whole set of brackets (default 1); `sampler: 'tpe'` is BOHB. */
  | ({ readonly type: 'hyperband'; readonly iterations: number; readonly sampler?: SamplerName } & FidelitySpec)
  /** Asynchronous successive halving (Li et al. 2020, Algorithm 2); `trials` is how many configs it starts. */
  /** `sampler: 'tpe'` draws new configs from a TPE model (BOHB's model, asynchronously); absent means random. */
  | ({ readonly type: 'asha'; readonly trials: number; readonly sampler?: SamplerName } & FidelitySpec)
  | TpeSpec
  | BohbSpec;

/**
 * Every strategy, in the order the schema lists them. Adding one takes: its spec above, a space-file definition in
 * `space/strategy-definitions.ts` (schema, defaults, checks) and a strategy definition in `strategies/registry.ts`
 * (factory, trial count, full budget); both registries are typed so that a missing or extra entry does not compile.
 */
export const STRATEGY_TYPES = ['random', 'grid', 'successive-halving', 'hyperband', 'asha', 'tpe', 'bohb'] as const;
export type StrategyType = (typeof STRATEGY_TYPES)[number];
export type StrategySpecOf<T extends StrategyType> = Extract<StrategySpec, { readonly type: T }>;

// The list and the spec union must name the same types: an error here means one was changed without the other.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
export type StrategyTypesMatch = Holds<Same<StrategySpec['type'], StrategyType>>;

export interface SearchSpace {
  readonly name: string;
  /** `metric` is one of METRICS, or any name a task module's `objective()` reports under. */
  /**
   * `reduce` is present only as `'best'` (absent: `'last'`, the value at the last epoch), so a study stored before
   * it existed keeps its signature. Read it with `objectiveReduce(space)`.
   */
  readonly objective: { readonly metric: string; readonly direction: Direction; readonly reduce?: 'best' };
  readonly task: TaskSpec;
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly strategy: StrategySpec;
  /** Stops unpromising trials early (random, grid and tpe only); absent: every trial trains its whole budget. */
  readonly pruner?: PrunerSpec;
  readonly seed: number;
  /** Configs to run before the strategy's own (the file's `enqueue`), checked and completed with fixed params; absent when none. */
  readonly enqueue?: readonly Params[];
}

/** The space's `objective.reduce`: which epoch's value is a trial's value. */
export function objectiveReduce(space: Pick<SearchSpace, 'objective'>): Reduce {
  return space.objective.reduce ?? 'last';
}
