import type {
  TrialError, Params,
  EpochReport, Metrics, RankedTrial, StudyId, StudyRecord, StudySpec, TrialId, TrialOutcome, TrialRecord, TrialState, TrialSuggestion,
} from '../core/types.js';

export interface TrialFilter {
  readonly states?: readonly TrialState[];
}

/** A new trial: the suggestion plus the per-trial seed the engine derived. */
export interface NewTrial extends TrialSuggestion {
  readonly seed: number;
  /**
   * Optional identity of the config within the study (e.g. a grid point's key, or `index/<n>` for the n-th
   * sampled config). Unique per study: a second createTrial with the same key throws ConflictError, so two
   * tuner processes never create the same config.
   */
  readonly key?: string;
  /**
   * The numbers this creator accepts, for a tuner whose view may be behind the study's (several tuners creating at
   * once). The trial still gets the study's next number, as always; with a window that number must be one of
   * `numbers.first` … `first + at.length - 1`, and the trial takes that number's entry: its seed (instead of `seed`),
   * its params where the entry has them (instead of `params`), and with `keyByNumber` the key `#<number>` (instead of
   * `key`). A next number outside the window throws ConflictError and stores nothing (this view is too far behind).
   */
  readonly numbers?: NumberWindow;
  /** Claim it for this worker in the same transaction: it is created `running` (one commit instead of two). */
  readonly claimBy?: string;
  /** With `claimBy`: the lease the claim takes (ms), as `acquireTrial`'s `leaseMs`. */
  readonly leaseMs?: number;
}

/** `NewTrial.numbers`: what a new trial is at each number its creator accepts. */
export interface NumberWindow {
  /** The lowest number accepted: the creator's view's next number. */
  readonly first: number;
  /** `at[i]` is the trial if it gets number `first + i`: that number's seed, and the config drawn for it (if any). */
  readonly at: readonly { readonly seed: number; readonly params?: Params }[];
  /** Key the trial by its number, `#<number>`: so one number's config is never created twice. */
  readonly keyByNumber?: boolean;
}

/**
 * Who holds a running trial, as a fencing token: the worker that claimed it and which claim it was
 * (`TrialRecord.claims` right after the claim). A write given a fence is refused with LeaseLostError, changing
 * nothing, unless the trial is still `running` under that very claim. So a tuner whose lease expired (a VM paused,
 * a process stopped) and whose trial was requeued, and perhaps claimed again by another tuner, can't overwrite the
 * new run's results when it wakes up (Kleppmann's fencing tokens; the claim count plays the lock's version).
 */
export interface Fence {
  readonly worker: string;
  readonly claim: number;
}

export interface OpenOptions {
  /** Open without writing anything (no migrations, no WAL switch): for read-only commands and files. */
  readonly readonly?: boolean;
}

/**
 * The storage contract. Async so PostgreSQL can implement it later; each method is one transaction.
 * The main thread is the only writer; workers never touch storage.
 *
 * Coordination (issue 13 §2): several tuner processes may share one study. There is no coordinator; each decision
 * is ONE storage call that checks, inside its transaction, that the decider's view still holds, and otherwise
 * throws ConflictError and changes nothing (the tuner then refreshes its view and asks again):
 * - a new trial: `createTrial` takes the next number under the lock; with a window (`NewTrial.numbers`) of one
 *   number, only a decider that saw every trial before it is accepted, so grid points are never created twice; a
 *   config drawn by its number (random, TPE, ASHA) may offer a window of several, each number with its own config
 *   and seed, keyed `#<n>`, so racing tuners each get a number instead of all but one a conflict;
 * - a promotion: `promoteTrial` only from `paused`;
 * - a prune: `finishTrial` of a `paused` trial.
 * Implementations serialise these per study: SQLite's BEGIN IMMEDIATE takes the file's write lock; PostgreSQL takes
 * `pg_advisory_xact_lock(<study id>)` (or an equivalent row lock on the study) first thing in createTrial,
 * promoteTrial, finishTrial, requeueTrial and requeueExpired, so two deciders never interleave.
 *
 * Leases: a running trial claimed with a `leaseMs` is held until `heartbeatAt + leaseMs`; each `heartbeat` renews it
 * (sets `heartbeatAt` to now). `requeueExpired` hands trials whose lease ran out back to the queue; every live
 * tuner calls it during its loop. Fencing: `report`, `finishTrial` and `requeueTrial` take an optional `Fence`.
 * Times are the storage's clock: SQLite the process's; PostgreSQL should use the server's `now()` for heartbeats,
 * claims and expiry, so machines' clocks needn't agree.
 */
export interface Storage {
  /** Creates the study, or loads the one with the same name. Throws StudyMismatchError if its space is incompatible. */
  openStudy(spec: StudySpec): Promise<StudyRecord>;
  getStudy(name: string): Promise<StudyRecord | null>;
  studies(): Promise<readonly StudySummary[]>;
  setStudyBackend(study: StudyId, backend: string): Promise<void>;
  /** Inserts the trial (state `waiting`) with the next trial number, and its `trial_params` rows. */
  createTrial(study: StudyId, trial: NewTrial): Promise<TrialRecord>;
  /** waiting|paused → running, atomically. False if someone else has it or it is finished. Same as `acquireTrial`. */
  claimTrial(id: TrialId, worker: string, leaseMs?: number): Promise<boolean>;
  /**
   * waiting|paused → running for `worker`, atomically, adding one to `claims` (the new holder's fencing token:
   * `{ worker, claim: record.claims }`) and setting `heartbeatAt` to now and `leaseMs` to the given lease (null
   * without one: such a trial never expires by lease, e.g. an ask-and-tell trial that nobody heartbeats). Returns the
   * claimed trial, or null if someone else has it, it is finished, or there is no such trial.
   * Throws StorageError unless `leaseMs` is a positive integer (when given).
   */
  acquireTrial(id: TrialId, worker: string, leaseMs?: number): Promise<TrialRecord | null>;
  /**
   * Stores one epoch's metrics (upsert on trial+epoch+metric) and advances the trial's `epochs`, `value` and heartbeat.
   * `epoch` counts from 1 (epoch N = N epochs done). Only a running trial may report. With a `fence`, only its
   * holder: LeaseLostError (nothing stored) if the trial is no longer running under that claim.
   */
  report(id: TrialId, epoch: number, metrics: Metrics, value: number, fence?: Fence): Promise<void>;
  /**
   * Moves a trial to its outcome in one transaction: a running one to any outcome; a waiting one only to `failed`;
   * a paused one to `complete`, `pruned` or `failed` without running again (a multi-fidelity loser is pruned
   * straight from `paused`). A finished trial can't change again (throws StorageError, nothing changed). These are
   * the finishing moves of `TRIAL_TRANSITIONS` (core/trial-state.ts), which lists every move storage makes.
   * `outcome.metrics`, if given, are stored as the report of epoch `outcome.epochs`; without `outcome.value` the
   * last reported value is kept. `epochs` never goes back: it becomes max(stored epochs, `outcome.epochs`).
   * The checkpoint column becomes `outcome.checkpoint`, or NULL without one (a finished trial's checkpoint files are
   * the engine's to delete). `finishedAt` is set for finished states and stays null for `paused`.
   * With a `fence`, only its holder may finish it: LeaseLostError (nothing changed) if the trial is no longer
   * running under that claim (checked before the finished-state rule above).
   */
  finishTrial(id: TrialId, outcome: TrialOutcome, fence?: Fence): Promise<TrialRecord>;
  /**
   * `finishTrial`, then `changesSince(study, since)` as of that finish, where the storage can do both in one round
   * trip (PostgreSQL); absent where a separate read costs nothing (SQLite). Same checks and errors as finishTrial.
   * `changes` is null where the answer was lost and the finish was found committed on reconnecting: read them then.
   */
  finishAndRead?(id: TrialId, outcome: TrialOutcome, fence: Fence | undefined, since: number): Promise<{ readonly trial: TrialRecord; readonly changes: StudyChanges | null }>;
  /**
   * Multi-fidelity promotion, one transaction: a `paused` trial becomes `waiting` again (then `claimTrial` →
   * running, its learning curve continuing at epoch `epochs + 1`) with the new `budget` and `rung`, and a fresh
   * heartbeat. Its epochs, value, reports, checkpoint, worker and bracket are kept.
   * Changes nothing and throws ConflictError if the trial is no longer paused (another tuner promoted, resumed or
   * pruned it first), or StorageError unless `budget` > its budget and > its epochs, and `rung` (an integer >= 0)
   * >= its rung (any rung if it had none).
   */
  promoteTrial(id: TrialId, budget: number, rung: number): Promise<TrialRecord>;
  /**
   * One query: per trial of the study that reported `metric`, its value at each epoch: `curve[e - 1]` is epoch e,
   * NaN/±Infinity exact, NaN for an epoch without a report. The curve ends at the last reported epoch; trials with
   * no report of `metric` are absent. An unknown study gives an empty map.
   */
  objectiveCurves(study: StudyId, metric: string): Promise<ReadonlyMap<TrialId, readonly number[]>>;
  /**
   * running → waiting, for a trial whose run ended without an outcome to keep: a retry after a failure
   * (`countAttempt` adds one to `attempts`; `error` is kept as the last error), or a trial whose tuner died.
   * Epochs, reports and checkpoint are kept; `worker` becomes null (`claims` stays: the next claim adds one).
   * Throws ConflictError if the trial is not running, or LeaseLostError (a ConflictError) if `fence` is given and
   * the trial is no longer running under that claim.
   */
  requeueTrial(id: TrialId, options: RequeueOptions): Promise<TrialRecord>;
  /**
   * Marks the given running trials of `worker` alive now, renewing their leases (`heartbeatAt` = now). Returns the
   * ids it renewed, in the order given: a running trial of `worker` is renewed even if its lease has already
   * expired, as long as nobody requeued it; an id missing from the answer is a trial this worker no longer holds
   * (requeued, re-claimed, finished): its tuner should stop running it, as its writes will be refused.
   */
  heartbeat(ids: readonly TrialId[], worker: string): Promise<readonly TrialId[]>;
  /**
   * Requeues (running → waiting, as `requeueTrial` without counting an attempt) every running trial of the study
   * whose lease has expired: claimed with a `leaseMs`, and `heartbeatAt + leaseMs` is before now. One transaction,
   * so two tuners calling it at once requeue each trial once. Trials claimed without a lease are left alone.
   * Returns the requeued trials, by number. Throws StorageError for an unknown study.
   */
  requeueExpired(study: StudyId): Promise<readonly TrialRecord[]>;
  /** Stores the full normalised space of the current run (`StudyRecord.definition`). */
  setStudyDefinition(study: StudyId, definition: unknown): Promise<void>;
  /** Renames a study (the name must be free), e.g. to keep it when `--new-study` starts over under its name. */
  renameStudy(study: StudyId, name: string): Promise<void>;
  /**
   * Deletes a study with its trials, their params and their reports, in one transaction: all of it or nothing.
   * Throws StorageError (nothing changed) if there is no such study. Checkpoints the storage holds itself
   * (`checkpointBlobs`) go with it; checkpoint files are not storage's: the caller removes them.
   */
  deleteStudy(study: StudyId): Promise<void>;
  trial(id: TrialId): Promise<TrialRecord | null>;
  trials(study: StudyId, filter?: TrialFilter): Promise<readonly TrialRecord[]>;
  reports(id: TrialId): Promise<readonly EpochReport[]>;
  /**
   * Ranked for multi-fidelity: failed trials last; the rest by how far they trained (epochs, most first, then rung,
   * highest first, no rung lowest), so a trial that reached a larger budget outranks a better value at a smaller one;
   * then complete before every other state; then value in the study's direction, NaN after every number, then
   * trials without a value. Equal values go by the trial's loss, lower first (`tieBreakMetric`: `val_loss` for
   * `val_accuracy`, `loss` for `accuracy`; other metrics have none), taken at the epoch that gave the trial its
   * value: its last epoch, or with the study's `objective.reduce` `best` the epochs whose objective equals its value
   * (the lowest loss of them); a trial without that report comes after those with one. Then by trial number. When every trial has the same epochs and rung (a plain
   * random or grid sweep) that is: complete by value, then the rest, failed last. Ranks start at 1.
   */
  leaderboard(study: StudyId, limit: number): Promise<readonly RankedTrial[]>;
  /**
   * What changed in the study after change number `since`, in one transaction, for readers that follow a running
   * sweep without reading the whole study again. Every write of a trial (create, claim, report, finish, promote,
   * requeue) or of a report takes the study's next change number, and so do changes to the study's name, backend
   * and definition; a heartbeat alone does not. `since` 0 gives everything. Returns the study, the changed trials
   * (by number, each as it is now), the report rows written since (by trial, then epoch; an epoch lists only the
   * metrics written since, so merge it into what you have), and `seq`, the study's latest change number: pass it as
   * `since` next time. A `since` above `seq` gives no changes (it came from another file: start over from 0).
   * Throws StorageError for an unknown study or a `since` that isn't an integer >= 0.
   */
  changesSince(study: StudyId, since: number): Promise<StudyChanges>;
  /**
   * Where the storage can hold checkpoints itself (PostgreSQL: bytea chunks), the store for them, on this storage's
   * connection; absent where it can't (SQLite: checkpoints are files). Deleting or renaming a study takes its
   * checkpoints along.
   */
  checkpointBlobs?(): CheckpointBlobs;
  close(): Promise<void>;
}

/** One checkpoint's place in a storage's checkpoint tables: trial `trialNumber` of `study`, at `step`. */
export interface CheckpointKey {
  readonly study: string;
  readonly trialNumber: number;
  /** A model checkpoint (weights + optimizer state) or a task module objective's JSON state. */
  readonly kind: 'model' | 'state';
  /** Epochs done (model) or the objective's step (state). */
  readonly step: number;
}

/** A stored checkpoint as read back: its manifest text and every byte of its payload, verified. */
export interface CheckpointBlob extends CheckpointKey {
  readonly manifest: string;
  readonly data: Buffer;
  readonly createdAt: string;
}

/**
 * Checkpoints held by the storage itself, for machines that share no disk (issue 13 §5). Only the main thread
 * calls it (one connection per tuner); worker threads reach it through their trial's port. What the bytes mean is
 * the caller's: the storage keeps them whole and checked.
 */
export interface CheckpointBlobs {
  /**
   * Stores the checkpoint in ONE transaction: its header and its payload (`chunks` back to back, in order, kept in
   * pieces of at most the storage's chunk size) with the payload's size and sha-256. Every older checkpoint of the
   * same (study, trial) goes in the same transaction, so a crash leaves the old one or the new one, never half.
   */
  write(key: CheckpointKey, manifest: string, chunks: readonly Uint8Array[]): Promise<void>;
  /** The checkpoint, its size and sha-256 checked; throws an Error `checkpoint <label>: …` when missing or damaged. */
  read(key: CheckpointKey, label: string): Promise<CheckpointBlob>;
  has(key: CheckpointKey): Promise<boolean>;
  /** The newest checkpoint of the trial, or undefined. */
  newest(study: string, trialNumber: number): Promise<CheckpointKey | undefined>;
  /** Removes every checkpoint of the trial; none is fine. */
  discard(study: string, trialNumber: number): Promise<void>;
  /** Removes every checkpoint of the study; none is fine. */
  discardStudy(study: string): Promise<void>;
  /** How many complete checkpoints of the study it holds (what `tune delete` names before it asks). */
  countStudy(study: string): Promise<number>;
}

/** `Storage.requeueTrial`'s options. */
export interface RequeueOptions {
  /** Add one to `attempts` (a retry after a failure), or not (a tuner that died or stopped). */
  readonly countAttempt: boolean;
  /** Kept as the trial's last error. */
  readonly error?: TrialError;
  /** Only if the trial is still running under this claim (see `Fence`). */
  readonly fence?: Fence;
}

/** `Storage.changesSince`'s answer. */
export interface StudyChanges {
  readonly study: StudyRecord;
  /** The study's latest change number: the next `since`. */
  readonly seq: number;
  readonly trials: readonly TrialRecord[];
  readonly reports: readonly EpochReport[];
}

export interface StudySummary {
  readonly study: StudyRecord;
  readonly counts: Readonly<Record<TrialState, number>>;
  readonly best: number | null;
}
