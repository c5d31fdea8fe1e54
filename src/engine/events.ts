import type { Metrics, StudyRecord, TrialOutcome, TrialRecord } from '../core/types.js';
import type { BackendInfo } from '../execution/types.js';

/** What the tuner tells its caller while a sweep runs. The CLI turns these into progress lines. */
export type SweepEvent =
  | { readonly type: 'start'; readonly study: StudyRecord; readonly backend: BackendInfo; readonly workers: number; readonly maxTrials: number; readonly existing: number }
  | { readonly type: 'recovered'; readonly trials: readonly TrialRecord[] }
  | { readonly type: 'trial-start'; readonly trial: TrialRecord }
  | { readonly type: 'epoch'; readonly trial: TrialRecord; readonly epoch: number; readonly metrics: Metrics; readonly value: number }
  | { readonly type: 'trial-end'; readonly trial: TrialRecord; readonly outcome: TrialOutcome; readonly progress: SweepProgress }
  /** Something the sweep survives but the user should know: it goes on, and the CLI prints `warning: <message>`. */
  | { readonly type: 'warning'; readonly code: WarningCode; readonly message: string };

/**
 * 'heartbeat-failed': running trials could not be marked alive, so after STALE_HEARTBEAT_MS another host's tuner
 * may take them for dead and run them again; 'heartbeat-restored': the writes work again;
 * 'worker-error': a worker thread failed outside any trial (the pool replaced it);
 * 'lease-lost': this tuner no longer holds a trial it was running (its lease expired, e.g. the process was stopped,
 * and another tuner requeued it): the run is abandoned and its late writes were refused;
 * 'requeued': trials whose tuner's lease expired went back to the queue, to resume from their checkpoints.
 */
export const WARNING_CODES = ['heartbeat-failed', 'heartbeat-restored', 'worker-error', 'lease-lost', 'requeued'] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

export interface SweepProgress {
  readonly finished: number;
  readonly running: number;
  readonly maxTrials: number;
  readonly best: TrialRecord | null;
  readonly elapsedMs: number;
}

export type SweepListener = (event: SweepEvent) => void;
