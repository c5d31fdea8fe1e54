import type { Decision, Metrics, Params, TrialId, TrialOutcome } from '../core/types.js';
import type { TaskSpec } from '../space/types.js';

export const BACKENDS = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
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
}

/** The worker boundary. `onEpoch` is awaited after every epoch; its decision is obeyed. */
export interface TrialRunner {
  readonly info: BackendInfo;
  run(task: TrialTask, onEpoch: (epoch: number, metrics: Metrics) => Promise<Decision>, signal?: AbortSignal): Promise<TrialOutcome>;
  close(): Promise<void>;
}
