/**
 * The contract between tune and your own code (`task.module` in the space file). Types only: importing this file
 * loads nothing, so the package root can export them without loading tfjs.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import type { Decision, Metrics, Params } from '../../core/types.js';
import type { TaskSpec } from '../../space/types.js';

export type NumericArray =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint8ClampedArray | Uint16Array | Uint32Array
  | readonly number[];

/** Plain values, row-major, with the shape of the whole array: `[examples, ...shape of one example]`. */
export interface ArrayData {
  readonly values: NumericArray;
  readonly shape: readonly number[];
}

/**
 * Inputs and targets of one split, as tensors or arrays. Integer-typed ys of shape `[n]` or `[n, 1]` (an int32
 * tensor, an Int32Array, a Uint8Array, …) are class ids, which tune one-hot encodes; any other ys are used as given.
 * tune copies the values once per worker and disposes the tensors.
 */
export interface Examples {
  readonly xs: Tensor | ArrayData;
  readonly ys: Tensor | ArrayData;
}

export interface TaskData {
  readonly train: Examples;
  readonly validation: Examples;
}

export interface LoadDataContext {
  /** The study seed, the same for every trial: use it for any shuffling or sampling, so every trial sees the same data. */
  readonly seed: number;
  /** `task.validationSplit`, should you split the data yourself. */
  readonly validationSplit: number;
  readonly task: TaskSpec;
}

export interface ModelContext {
  /** The shape of one example's inputs, e.g. `[784]`: give it to the first layer as `inputShape`. */
  readonly inputShape: readonly number[];
  /** The shape of one example's targets, e.g. `[10]` for ten one-hot classes: the last layer's output. */
  readonly outputShape: readonly number[];
  /** Built-in image data (mnist) arrives flat; this is its `[height, width, channels]`, for a reshape layer. */
  readonly imageShape?: readonly [number, number, number];
  /** This trial's seed: pass it to initializers (`tf.initializers.glorotUniform({ seed })`) for reproducible weights. */
  readonly seed: number;
  readonly task: TaskSpec;
}

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** What `objective(params, trial)` gets besides the params: reporting, pruning and checkpoints. */
export interface TrialContext {
  readonly id: number;
  readonly params: Params;
  /** This trial's seed, derived from the study seed: use it for all randomness. */
  readonly seed: number;
  /** Steps to reach in this run (task.epochs, or the rung's budget under a multi-fidelity strategy). */
  readonly budget: number;
  /** Steps already done: 0, or the step a paused trial's checkpoint holds when it resumes. Continue at startStep + 1. */
  readonly startStep: number;
  /** The objective's metric name; reported values are stored under it. */
  readonly metric: string;
  /**
   * Reports the value after `step` (an integer, increasing, startStep < step <= budget) and resolves to the
   * strategy's decision: 'continue'; 'stop' (pruned: return now); or 'pause' (checkpoint, then return: a
   * multi-fidelity strategy may resume the trial later from `startStep`). `metrics` are stored alongside.
   */
  report(step: number, value: number, metrics?: Metrics): Promise<Decision>;
  /** True once a report was answered 'stop' or 'pause'. */
  shouldStop(): boolean;
  /** Saves JSON-serialisable state as of the last reported step into the trial's checkpoint folder. */
  checkpoint(state: JsonValue): Promise<void>;
  /** The state saved by the last `checkpoint` (of this run, or of the run this one resumes); undefined if none. */
  restore<T extends JsonValue = JsonValue>(): Promise<T | undefined>;
}

/** A number, or one with extra metrics (stored with the last step when the objective reported none itself). */
export type ObjectiveResult = number | { readonly value: number; readonly metrics?: Metrics };

/**
 * A task module exports any of these (named exports, or a default export object). `loadData` runs once per worker
 * thread and is cached; `buildModel` once per trial; `objective` replaces the built-in training loop entirely.
 */
export interface TaskModule<P extends Params = Params> {
  loadData?(ctx: LoadDataContext): TaskData | Promise<TaskData>;
  buildModel?(params: P, ctx: ModelContext): LayersModel | Promise<LayersModel>;
  objective?(params: P, trial: TrialContext): ObjectiveResult | Promise<ObjectiveResult>;
}
