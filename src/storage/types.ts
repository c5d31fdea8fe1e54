import type {
  EpochReport, Metrics, RankedTrial, StudyId, StudyRecord, StudySpec, TrialId, TrialOutcome, TrialRecord, TrialState, TrialSuggestion,
} from '../core/types.js';

export interface TrialFilter {
  readonly states?: readonly TrialState[];
}

/** A new trial: the suggestion plus the per-trial seed the engine derived. */
export interface NewTrial extends TrialSuggestion {
  readonly seed: number;
}

/**
 * The storage contract. Async so PostgreSQL can implement it later; each method is one transaction.
 * The main thread is the only writer; workers never touch storage.
 */
export interface Storage {
  /** Creates the study, or loads the one with the same name. Throws StudyMismatchError if its space is incompatible. */
  openStudy(spec: StudySpec): Promise<StudyRecord>;
  getStudy(name: string): Promise<StudyRecord | null>;
  studies(): Promise<readonly StudySummary[]>;
  setStudyBackend(study: StudyId, backend: string): Promise<void>;
  /** Inserts the trial (state `waiting`) with the next trial number, and its `trial_params` rows. */
  createTrial(study: StudyId, trial: NewTrial): Promise<TrialRecord>;
  /** waiting|paused → running, atomically. False if someone else has it or it is finished. */
  claimTrial(id: TrialId, worker: string): Promise<boolean>;
  /**
   * Stores one epoch's metrics (upsert on trial+epoch+metric) and advances the trial's `epochs`, `value` and heartbeat.
   * `epoch` counts from 1 (epoch N = N epochs done). Only a running trial may report.
   */
  report(id: TrialId, epoch: number, metrics: Metrics, value: number): Promise<void>;
  /**
   * Moves a running trial to its outcome in one transaction (a waiting one may only become `failed`).
   * A finished trial can't change again (throws StorageError). `outcome.metrics`, if given, are stored as the
   * report of epoch `outcome.epochs`; without `outcome.value` the last reported value is kept.
   */
  finishTrial(id: TrialId, outcome: TrialOutcome): Promise<TrialRecord>;
  trial(id: TrialId): Promise<TrialRecord | null>;
  trials(study: StudyId, filter?: TrialFilter): Promise<readonly TrialRecord[]>;
  reports(id: TrialId): Promise<readonly EpochReport[]>;
  /**
   * Complete trials first, ranked by value in the study's direction; then pruned; failed and unfinished last.
   * Within a group NaN ranks after every number, then trials without a value; ties go by trial number. Ranks start at 1.
   */
  leaderboard(study: StudyId, limit: number): Promise<readonly RankedTrial[]>;
  close(): Promise<void>;
}

export interface StudySummary {
  readonly study: StudyRecord;
  readonly counts: Readonly<Record<TrialState, number>>;
  readonly best: number | null;
}
