import type { Metrics, StudyRecord, TrialOutcome, TrialRecord } from '../core/types.js';
import type { BackendInfo } from '../execution/types.js';

/** What the tuner tells its caller while a sweep runs. The CLI turns these into progress lines. */
export type SweepEvent =
  | { readonly type: 'start'; readonly study: StudyRecord; readonly backend: BackendInfo; readonly workers: number; readonly maxTrials: number; readonly existing: number }
  | { readonly type: 'recovered'; readonly trials: readonly TrialRecord[] }
  | { readonly type: 'trial-start'; readonly trial: TrialRecord }
  | { readonly type: 'epoch'; readonly trial: TrialRecord; readonly epoch: number; readonly metrics: Metrics; readonly value: number }
  | { readonly type: 'trial-end'; readonly trial: TrialRecord; readonly outcome: TrialOutcome; readonly progress: SweepProgress };

export interface SweepProgress {
  readonly finished: number;
  readonly running: number;
  readonly maxTrials: number;
  readonly best: TrialRecord | null;
  readonly elapsedMs: number;
}

export type SweepListener = (event: SweepEvent) => void;
