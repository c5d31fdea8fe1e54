/** Every SQL statement `SqliteStorage` runs, prepared once per connection and typed by its bind and row shapes. */
import type Database from 'better-sqlite3';
import type { Reduce } from '../core/objective.js';
import type { TrialState } from '../core/types.js';
import { leaderboardOrder } from './leaderboard-order.js';
import type { CurvePointRow, ParamType, RankedTrialRow, ReportRow, StudyRow, TrialRow, ValueKind } from './rows.js';

export interface InsertStudy {
  name: string;
  space: string;
  direction: string;
  metric: string;
  strategy: string;
  seed: number;
  now: string;
}

export interface InsertTrial {
  study_id: number;
  number: number;
  params: string;
  budget: number;
  rung: number | null;
  bracket: number | null;
  seed: number;
  resume_of: number | null;
  claim_key: string | null;
  now: string;
}

export interface RequeueTrial {
  id: number;
  add_attempts: 0 | 1;
  error_kind: string | null;
  error_message: string | null;
  now: string;
}

export interface InsertParam {
  trial_id: number;
  name: string;
  value_type: ParamType;
  value_num: number | null;
  value_text: string | null;
}

export interface UpsertReport {
  trial_id: number;
  epoch: number;
  metric: string;
  value: number | null;
  value_kind: ValueKind;
}

export interface FinishTrial {
  id: number;
  state: TrialState;
  value: number | null;
  value_kind: ValueKind | null;
  epochs: number;
  error_kind: string | null;
  error_message: string | null;
  checkpoint: string | null;
  finished_at: string | null;
  now: string;
}

const LEADERBOARD_ORDER = leaderboardOrder({ tieMetric: '@tie_metric', reduce: '@reduce' });

/** @internal Not part of the emitted declarations: better-sqlite3's statement type can't be named there. */
export function prepareStatements(db: Database.Database) {
  return {
    studyByName: db.prepare<[string], StudyRow>('SELECT * FROM studies WHERE name = ?'),
    studyById: db.prepare<[number], StudyRow>('SELECT * FROM studies WHERE id = ?'),
    allStudies: db.prepare<[], StudyRow>('SELECT * FROM studies ORDER BY id'),
    insertStudy: db.prepare<InsertStudy, StudyRow>(`
      INSERT INTO studies (name, space, direction, metric, strategy, seed, created_at, updated_at)
      VALUES (@name, @space, @direction, @metric, @strategy, @seed, @now, @now)
      RETURNING *`),
    setBackend: db.prepare<{ id: number; backend: string; now: string }>(
      'UPDATE studies SET backend = @backend, updated_at = @now WHERE id = @id',
    ),
    setDefinition: db.prepare<{ id: number; definition: string; now: string }>(
      'UPDATE studies SET definition = @definition, updated_at = @now WHERE id = @id',
    ),
    renameStudy: db.prepare<{ id: number; name: string; now: string }>(
      'UPDATE studies SET name = @name, updated_at = @now WHERE id = @id',
    ),
    deleteStudyReports: db.prepare<[number]>('DELETE FROM reports WHERE trial_id IN (SELECT id FROM trials WHERE study_id = ?)'),
    deleteStudyParams: db.prepare<[number]>('DELETE FROM trial_params WHERE trial_id IN (SELECT id FROM trials WHERE study_id = ?)'),
    // One statement for every trial: a promoted trial's resume_of points at another trial of the same study.
    deleteStudyTrials: db.prepare<[number]>('DELETE FROM trials WHERE study_id = ?'),
    deleteStudy: db.prepare<[number]>('DELETE FROM studies WHERE id = ?'),
    touchStudy: db.prepare<{ id: number; now: string }>('UPDATE studies SET updated_at = @now WHERE id = @id'),
    stateCounts: db.prepare<[], { study_id: number; state: TrialState; n: number }>(
      'SELECT study_id, state, count(*) AS n FROM trials GROUP BY study_id, state',
    ),
    // NaN is stored as NULL, so max()/min() skip it; ±inf compare as expected.
    bestValues: db.prepare<[], { study_id: number; best: number | null }>(`
      SELECT s.id AS study_id,
             CASE s.direction WHEN 'maximize' THEN max(t.value) ELSE min(t.value) END AS best
      FROM studies s JOIN trials t ON t.study_id = s.id
      WHERE t.state = 'complete' AND t.value IS NOT NULL
      GROUP BY s.id`),

    // The number is computed inside the same (immediate) transaction, so it is unique even across processes.
    insertTrial: db.prepare<InsertTrial, TrialRow>(`
      INSERT INTO trials (study_id, number, state, params, budget, rung, bracket, seed, resume_of, claim_key, created_at)
      VALUES (@study_id, @number, 'waiting', @params, @budget, @rung, @bracket, @seed, @resume_of, @claim_key, @now)
      RETURNING *`),
    nextNumber: db.prepare<{ study_id: number }, { next: number }>(
      'SELECT coalesce(max(number) + 1, 0) AS next FROM trials WHERE study_id = @study_id'),
    trialByKey: db.prepare<{ study_id: number; claim_key: string }, { id: number; number: number }>(
      'SELECT id, number FROM trials WHERE study_id = @study_id AND claim_key = @claim_key',
    ),
    insertParam: db.prepare<InsertParam>(`
      INSERT INTO trial_params (trial_id, name, value_type, value_num, value_text)
      VALUES (@trial_id, @name, @value_type, @value_num, @value_text)`),
    trialById: db.prepare<[number], TrialRow>('SELECT * FROM trials WHERE id = ?'),
    // @states is a JSON array of states, or NULL for all of them.
    trialsOf: db.prepare<{ study_id: number; states: string | null }, TrialRow>(`
      SELECT * FROM trials
      WHERE study_id = @study_id AND (@states IS NULL OR state IN (SELECT value FROM json_each(@states)))
      ORDER BY number`),
    claimTrial: db.prepare<{ id: number; worker: string; lease_ms: number | null; now: string }, TrialRow>(`
      UPDATE trials SET state = 'running', worker = @worker, claims = claims + 1, lease_ms = @lease_ms,
                        started_at = coalesce(started_at, @now), heartbeat_at = @now
      WHERE id = @id AND state IN ('waiting', 'paused')
      RETURNING *`),
    // Running trials that hold a lease, for requeueExpired (expiry is computed in JS: timestamps are ISO text).
    leasedTrials: db.prepare<[number], TrialRow>(`
      SELECT * FROM trials WHERE study_id = ? AND state = 'running' AND lease_ms IS NOT NULL ORDER BY number`),
    // Only from running; the error is replaced only when a new one is given (the last error stays until a finish).
    requeueTrial: db.prepare<RequeueTrial, TrialRow>(`
      UPDATE trials SET state = 'waiting', worker = NULL, attempts = attempts + @add_attempts,
                        error_kind = coalesce(@error_kind, error_kind),
                        error_message = CASE WHEN @error_kind IS NULL THEN error_message ELSE @error_message END
      WHERE id = @id AND state = 'running'
      RETURNING *`),
    // @ids is a JSON array of trial ids.
    heartbeat: db.prepare<{ ids: string; worker: string; now: string }, { id: number }>(`
      UPDATE trials SET heartbeat_at = @now
      WHERE state = 'running' AND worker = @worker AND id IN (SELECT value FROM json_each(@ids))
      RETURNING id`),
    // A late report for an earlier epoch is kept but doesn't overwrite the latest value.
    advanceTrial: db.prepare<{ id: number; epoch: number; value: number | null; value_kind: ValueKind; now: string }>(`
      UPDATE trials SET
        value      = CASE WHEN @epoch >= epochs THEN @value ELSE value END,
        value_kind = CASE WHEN @epoch >= epochs THEN @value_kind ELSE value_kind END,
        epochs     = max(epochs, @epoch),
        heartbeat_at = @now
      WHERE id = @id`),
    finishTrial: db.prepare<FinishTrial, TrialRow>(`
      UPDATE trials SET state = @state, value = @value, value_kind = @value_kind, epochs = @epochs,
                        error_kind = @error_kind, error_message = @error_message, checkpoint = @checkpoint,
                        finished_at = @finished_at, heartbeat_at = @now
      WHERE id = @id
      RETURNING *`),
    // Only from paused, so a trial someone else just claimed or finished is never moved back.
    promoteTrial: db.prepare<{ id: number; budget: number; rung: number; now: string }, TrialRow>(`
      UPDATE trials SET state = 'waiting', budget = @budget, rung = @rung, heartbeat_at = @now
      WHERE id = @id AND state = 'paused'
      RETURNING *`),
    upsertReport: db.prepare<UpsertReport>(`
      INSERT INTO reports (trial_id, epoch, metric, value, value_kind)
      VALUES (@trial_id, @epoch, @metric, @value, @value_kind)
      ON CONFLICT (trial_id, epoch, metric) DO UPDATE SET value = excluded.value, value_kind = excluded.value_kind`),
    reportsOf: db.prepare<[number], ReportRow>(
      'SELECT trial_id, epoch, metric, value, value_kind FROM reports WHERE trial_id = ? ORDER BY epoch, metric',
    ),
    // One metric across a study, for learning curves; ordered so each trial's epochs come together, ascending.
    objectiveReports: db.prepare<{ study_id: number; metric: string }, CurvePointRow>(`
      SELECT r.trial_id, r.epoch, r.value, r.value_kind
      FROM reports r JOIN trials t ON t.id = r.trial_id
      WHERE t.study_id = @study_id AND r.metric = @metric
      ORDER BY r.trial_id, r.epoch`),
    // Change feed (migration 3): a report's trial always carries the report's seq, so the reports are found through
    // the changed trials, both by index.
    studySeq: db.prepare<[number], { seq: number }>('SELECT seq FROM studies WHERE id = ?'),
    trialsChangedSince: db.prepare<{ study_id: number; since: number }, TrialRow>(`
      SELECT * FROM trials WHERE study_id = @study_id AND seq > @since ORDER BY number`),
    reportsChangedSince: db.prepare<{ study_id: number; since: number }, ReportRow>(`
      SELECT r.trial_id, r.epoch, r.metric, r.value, r.value_kind
      FROM trials t JOIN reports r ON r.trial_id = t.id
      WHERE t.study_id = @study_id AND t.seq > @since AND r.seq > @since
      ORDER BY r.trial_id, r.epoch, r.metric`),
    // LIMIT -1 means no limit in SQLite.
    leaderboard: db.prepare<{ study_id: number; limit: number; tie_metric: string | null; reduce: Reduce }, RankedTrialRow>(`
      SELECT ROW_NUMBER() OVER (ORDER BY ${LEADERBOARD_ORDER}) AS rank, t.*
      FROM trials t JOIN studies s ON s.id = t.study_id
      WHERE t.study_id = @study_id
      ORDER BY rank
      LIMIT @limit`),
  };
}

/** @internal */
export type Statements = ReturnType<typeof prepareStatements>;
