import type { Decision, Metrics, Params, TrialId, TrialOutcome } from '../core/types.js';
import type { TaskSpec } from '../space/types.js';
import type { CheckpointStoreSpec } from './checkpoint/store.js';
import type { KeepModelTask, ModelKeeping } from './models/kept-models.js';

export const BACKENDS = ['auto', 'webgpu', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];
export type BackendName = Exclude<BackendChoice, 'auto'>;

/** What the pool reports after its start-up probe. */
export interface BackendInfo {
  readonly requested: BackendChoice;
  readonly backend: BackendName;
  /** tfjs's own backend name, e.g. 'wasm', 'tensorflow'. */
  readonly tfBackend: string;
  /** Human-readable notes, e.g. why a native backend was skipped. */
  readonly warnings: readonly string[];
  /** Worker threads in the pool (each one was probed). Optional so test doubles needn't set it. */
  readonly workers?: number;
  /** Trials a worker runs before it is replaced; null when workers are never recycled (native backends). */
  readonly recycleAfter?: number | null;
  /** webgpu: the adapter's name as Dawn reports it, e.g. 'nvidia NVIDIA GeForce RTX 4090', 'llvmpipe-llvm-15-0-6-256-bits-'. */
  readonly adapter?: string;
  /** webgpu: the adapter's driver and Dawn's route to it, e.g. 'OpenGL version OpenGL ES 3.2 Mesa 22.3.6 (Dawn opengles)'. */
  readonly driver?: string;
  /** webgpu: a CPU rasteriser (llvmpipe, lavapipe, SwiftShader), used only when 'webgpu' was asked for by name. */
  readonly softwareAdapter?: boolean;
  /** GPU backends with a gpuConcurrency cap: trials that may use the GPU at once (the GPU workers). */
  readonly gpuConcurrency?: number;
  /** overflow 'cpu': the workers that take a trial when every GPU slot is busy, and their backend. */
  readonly overflow?: { readonly backend: BackendName; readonly workers: number; readonly recycleAfter: number | null };
}

/** One trial's work, as sent to a worker. Plain data only. */
export interface TrialTask {
  readonly trialId: TrialId;
  readonly params: Params;
  readonly task: TaskSpec;
  /** Train until this many epochs are done in total. */
  readonly budget: number;
  readonly seed: number;
  /** The study seed: fixes the train/validation split, which must be the same for every trial. */
  readonly splitSeed: number;
  /** Metric whose value is the trial's value, e.g. 'val_accuracy'. */
  readonly metric: string;
  /**
   * The slot of `checkpointStore` a checkpoint goes to if the trial is told to 'pause' (for the file store, a
   * folder the worker creates; an earlier checkpoint there is replaced atomically). Without it, 'pause' ends the
   * trial as paused with no checkpoint.
   */
  readonly checkpointDir?: string;
  /** A checkpoint (a ref of `checkpointStore`) written by an earlier pause of this trial: training continues after its epoch, not from zero. */
  readonly resumeFrom?: string;
  /** The store the worker writes and reads checkpoints with, rebuilt in its thread; absent: the file store. */
  readonly checkpointStore?: CheckpointStoreSpec;
  /**
   * Keep the trained model (`--keep-models`): written to `keepModel.dir` when the trial completes (with reduce
   * `best`: its best epoch's weights, also at a pause). Trials that train no tfjs model (a module's objective()) ignore it.
   */
  readonly keepModel?: KeepModelTask;
}

/** Worker-side facts about one trial, for tests, benchmarks and debugging. Not stored. */
export interface TrialDiagnostics {
  /** `tf.memory().numTensors` before the trial built anything, and after it disposed everything. */
  readonly tensorsBefore: number;
  readonly tensorsAfter: number;
  /** The worker thread that ran the trial, and how many trials it has run including this one. */
  readonly threadId: number;
  readonly workerTrials: number;
  readonly tfBackend: string;
  /** Wall time spent in training steps only (not evaluation), and training samples per second. */
  readonly trainSeconds: number;
  readonly samplesPerSecond: number;
  /** Anything tfjs or the trainer printed in the worker; workers never print. */
  readonly logs: readonly string[];
}

/**
 * A `TrialOutcome` plus diagnostics. Epochs are 1-based counts of finished epochs: `onEpoch(1, …)` follows the first.
 * A 'nan' failure reports `epochs` = epochs reported before the bad one, and that epoch's metrics in `metrics`.
 */
export interface ExecutionOutcome extends TrialOutcome {
  readonly diagnostics?: TrialDiagnostics;
  /** With `TrialTask.keepModel`: the model written (which epoch), or why it could not be. Absent: nothing was written. */
  readonly model?: ModelKeeping;
}

export type OnEpoch = (epoch: number, metrics: Metrics) => Promise<Decision>;

/**
 * The worker boundary. `onEpoch` is awaited after every epoch; its decision is obeyed ('stop' → pruned, 'pause' →
 * paused, at that epoch). Every implementation passes test/execution/runner-contract.ts.
 */
export interface TrialRunner {
  readonly info: BackendInfo;
  /**
   * Resolves (never rejects) for trial failures, with an error kind: a trial that throws is 'exception' (or 'oom'),
   * an aborted `signal` ends it as 'interrupted' ('timeout' when the reason is a TimeoutError), before it starts if
   * it is already aborted. Rejects only if `onEpoch` throws (after stopping the trial) or after close(). The runner
   * stays usable after any of these.
   */
  run(task: TrialTask, onEpoch: OnEpoch, signal?: AbortSignal): Promise<ExecutionOutcome>;
  /** Ends the workers; trials still in flight resolve as failed ('interrupted'). Idempotent. */
  close(): Promise<void>;
}
