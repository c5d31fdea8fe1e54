/** Shared plain-data types. Everything here is structured-clone safe, so it can cross the worker boundary. */
import type { FailureKind, OutcomeState, TrialState } from './trial-state.js';

export type ParamValue = number | string | boolean;
export type Params = Readonly<Record<string, ParamValue>>;

// The lifecycle lives in trial-state.ts; re-exported so `core/types` stays the one import for plain data.
export {
  TRIAL_STATES, FINISHED_STATES, OUTCOME_STATES, FAILURE_KINDS, INFRASTRUCTURE_FAILURES,
  type TrialState, type FinishedState, type OutcomeState, type FailureKind,
} from './trial-state.js';

export type Decision = 'continue' | 'stop' | 'pause';
export type Direction = 'maximize' | 'minimize';

/** Per-epoch numbers reported by a trial, e.g. `{ loss, accuracy, val_loss, val_accuracy }`. */
export type Metrics = Readonly<Record<string, number>>;

export type StudyId = number;
export type TrialId = number;

export interface TrialError {
  readonly kind: FailureKind;
  readonly message: string;
}

/** What a strategy proposes: one trial to create and dispatch. */
export interface TrialSuggestion {
  readonly params: Params;
  /** Training budget in epochs. */
  readonly budget: number;
  readonly rung?: number;
  readonly bracket?: number;
  /** Id of a stored trial this one continues (multi-fidelity promotion). */
  readonly resumeOf?: TrialId;
}

export interface TrialRecord {
  readonly id: TrialId;
  readonly studyId: StudyId;
  /** 0-based number within the study, in creation order. */
  readonly number: number;
  readonly state: TrialState;
  readonly params: Params;
  readonly budget: number;
  readonly rung: number | null;
  readonly bracket: number | null;
  /** Drives weight initialisation and shuffling; derived from the study seed and `number`. */
  readonly seed: number;
  /** Objective value at the last reported epoch (raw, not sign-flipped). */
  readonly value: number | null;
  /** Epochs completed so far. */
  readonly epochs: number;
  readonly error: TrialError | null;
  readonly checkpoint: string | null;
  /** Who runs it: `<host>:<pid>` of the tuner process that claimed it. */
  readonly worker: string | null;
  /** Failed runs retried so far (`--retries`). */
  readonly attempts: number;
  /**
   * How many times the trial has been claimed (waiting|paused → running); the current holder's fencing token
   * (`Fence.claim`). Storage always sets it; optional only so hand-built records in tests need not.
   */
  readonly claims?: number;
  /** The lease its holder took at its last claim (ms; renewed by each heartbeat), or null for none (ask-and-tell). */
  readonly leaseMs?: number | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly heartbeatAt: string | null;
}

/** How a trial ended, as reported by the runner and stored by `finishTrial`. */
export interface TrialOutcome {
  readonly state: OutcomeState;
  readonly value?: number;
  readonly epochs: number;
  readonly metrics?: Metrics;
  readonly checkpoint?: string;
  readonly error?: TrialError;
}

export interface StudySpec {
  readonly name: string;
  /** The normalised space, serialised. Stored so `top`/`export` work without the file. */
  readonly space: unknown;
  readonly direction: Direction;
  readonly metric: string;
  readonly strategy: string;
  readonly seed: number;
}

export interface StudyRecord {
  readonly id: StudyId;
  readonly name: string;
  readonly space: unknown;
  /** The full normalised space of the latest run, so `tune resume --study S` needs no file. */
  readonly definition: unknown;
  readonly direction: Direction;
  readonly metric: string;
  readonly strategy: string;
  readonly seed: number;
  readonly backend: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface RankedTrial {
  readonly rank: number;
  readonly trial: TrialRecord;
}

export interface EpochReport {
  readonly trialId: TrialId;
  readonly epoch: number;
  readonly metrics: Metrics;
}
