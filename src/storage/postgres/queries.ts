/** Every SQL statement `PostgresStorage` runs, by name (positional parameters, as node-postgres takes them). */
import type pg from 'pg';
import { leaderboardOrder } from '../leaderboard-order.js';

/** The first row of a statement, or undefined. */
export async function one<R extends pg.QueryResultRow>(c: pg.Client, sql: string, args: unknown[]): Promise<R | undefined> {
  return (await c.query<R>(sql, args)).rows[0];
}

export async function all<R extends pg.QueryResultRow>(c: pg.Client, sql: string, args: unknown[] = []): Promise<R[]> {
  return (await c.query<R>(sql, args)).rows;
}

/** Held per study (pg_advisory_xact_lock(STUDY_LOCK, study)) while trial numbers and keys are decided. */
export const STUDY_LOCK = 0x7475_6e66;

const LEADERBOARD_ORDER = leaderboardOrder({ tieMetric: '$3::text', reduce: '$4::text' });

export const SQL = {
  lockStudy: 'SELECT pg_advisory_xact_lock($1, $2)',
  studyByName: 'SELECT * FROM studies WHERE name = $1',
  studyById: 'SELECT * FROM studies WHERE id = $1',
  studyForUpdate: 'SELECT * FROM studies WHERE id = $1 FOR UPDATE',
  allStudies: 'SELECT * FROM studies ORDER BY id',
  // ON CONFLICT DO NOTHING: a study another tuner created a moment ago is read back instead.
  insertStudy: `
    INSERT INTO studies (name, space, direction, metric, strategy, seed, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
    ON CONFLICT (name) DO NOTHING
    RETURNING *`,
  stateCounts: 'SELECT study_id, state, count(*) AS n FROM trials GROUP BY study_id, state',
  bestValues: `
    SELECT t.study_id,
           CASE WHEN s.direction = 'maximize' THEN max(t.value) ELSE min(t.value) END AS best
    FROM trials t JOIN studies s ON s.id = t.study_id
    WHERE t.state = 'complete' AND t.value_kind IN ('finite', 'inf', '-inf')
    GROUP BY t.study_id, s.direction`,
  setBackend: 'UPDATE studies SET backend = $2, updated_at = $3 WHERE id = $1',
  setDefinition: 'UPDATE studies SET definition = $2, updated_at = $3 WHERE id = $1',
  renameStudy: 'UPDATE studies SET name = $2, updated_at = $3 WHERE id = $1',
  touchStudy: 'UPDATE studies SET updated_at = $2 WHERE id = $1',
  deleteStudyReports: 'DELETE FROM reports WHERE trial_id IN (SELECT id FROM trials WHERE study_id = $1)',
  deleteStudyParams: 'DELETE FROM trial_params WHERE trial_id IN (SELECT id FROM trials WHERE study_id = $1)',
  deleteStudyTrials: 'DELETE FROM trials WHERE study_id = $1',
  deleteStudy: 'DELETE FROM studies WHERE id = $1',
  trialById: 'SELECT * FROM trials WHERE id = $1',
  // Row-locked for the rest of the transaction: the checks made on it hold until the write.
  trialForUpdate: 'SELECT * FROM trials WHERE id = $1 FOR UPDATE',
  trialsOf: `
    SELECT * FROM trials WHERE study_id = $1 AND ($2::text[] IS NULL OR state = ANY($2::text[])) ORDER BY number`,
  studyOfTrial: 'SELECT study_id FROM trials WHERE id = $1',
  requeueExpired: `
    UPDATE trials SET state = 'waiting', worker = NULL, lease_until = NULL
    WHERE study_id = $1 AND state = 'running' AND lease_until < clock_timestamp()
    RETURNING *`,
  requeueTrial: `
    UPDATE trials SET state = 'waiting', worker = NULL, lease_until = NULL, attempts = attempts + $2,
                      error_kind = coalesce($3, error_kind),
                      error_message = CASE WHEN $3::text IS NULL THEN error_message ELSE $4 END
    WHERE id = $1 AND state = 'running'
    RETURNING *`,
  heartbeat: `
    UPDATE trials SET heartbeat_at = $3, lease_until = clock_timestamp() + lease_ms * interval '1 millisecond'
    WHERE state = 'running' AND worker = $2 AND id = ANY($1::integer[])
    RETURNING id`,
  promoteTrial: `
    UPDATE trials SET state = 'waiting', budget = $2, rung = $3, heartbeat_at = $4
    WHERE id = $1 AND state = 'paused'
    RETURNING *`,
  reportsOf: 'SELECT trial_id, epoch, metric, value, value_kind FROM reports WHERE trial_id = $1 ORDER BY epoch, metric',
  objectiveReports: `
    SELECT r.trial_id, r.epoch, r.value, r.value_kind
    FROM reports r JOIN trials t ON t.id = r.trial_id
    WHERE t.study_id = $1 AND r.metric = $2
    ORDER BY r.trial_id, r.epoch`,
  // LIMIT NULL is no limit; $3 is the tie-break metric (NULL for none), $4 the objective's reduce.
  leaderboard: `
    SELECT ROW_NUMBER() OVER (ORDER BY ${LEADERBOARD_ORDER}) AS rank, t.*
    FROM trials t JOIN studies s ON s.id = t.study_id
    WHERE t.study_id = $1
    ORDER BY rank
    LIMIT $2`,
  dropOldTokens: "DELETE FROM write_tokens WHERE created_at < now() - interval '1 day'",
} as const;
