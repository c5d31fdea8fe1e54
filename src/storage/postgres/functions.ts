/**
 * Server-side functions that do a whole Storage call in one round trip (issue 13 §8), installed by migration 3.
 *
 * Each function takes the same locks, in the same order, and makes the same writes as the statements storage.ts ran
 * one by one before (the study's advisory lock, then the trial's row lock). Where a check fails it writes nothing and
 * returns a status with the row as it found it; storage.ts then runs its own checks on that row, so the errors and
 * their messages stay the ones the TypeScript code has always thrown, and the rules stay written once, in TypeScript
 * (the states a finish may move from are passed in, computed from core/trial-state.ts).
 *
 * The writes whose answer may be lost (create, claim, finish) take the caller's write token and record it in the
 * same transaction. A call is one round trip instead of 8–12: `SELECT … FROM the_function(…)`, one autocommitted
 * statement (prepared once per connection), so the study's advisory lock is released inside the server as the
 * statement commits, never held while the client gets round to sending COMMIT; an answer lost after it committed is
 * told apart by the token (connection.ts `settled`).
 */
import { STUDY_LOCK } from './queries.js';

// A fence that doesn't match the trial's holder (NULLs count as a mismatch). Also used by migration 6 (lean-writes.ts).
export const FENCED = `p_fence_worker IS NOT NULL AND (t.state IS DISTINCT FROM 'running' OR t.worker IS DISTINCT FROM p_fence_worker
      OR t.claims IS DISTINCT FROM p_fence_claim)`;

export const UPSERT_REPORTS = (trial: string, epoch: string) => `
      INSERT INTO reports (trial_id, epoch, metric, value, value_kind)
      SELECT ${trial}, ${epoch}, m.metric, m.value, m.value_kind
      FROM unnest(p_metrics, p_values, p_kinds) AS m(metric, value, value_kind)
      ON CONFLICT (trial_id, epoch, metric) DO UPDATE SET value = excluded.value, value_kind = excluded.value_kind;`;

export const FUNCTIONS_MIGRATION_SQL = `
  CREATE FUNCTION tune_create_trial(
    p_study integer, p_params text, p_budget double precision, p_rung integer, p_bracket integer, p_seed bigint,
    p_resume_of integer, p_key text, p_now text,
    p_names text[], p_types text[], p_nums double precision[], p_texts text[],
    p_claim_by text, p_lease_ms integer, p_token text,
    OUT status text, OUT detail text, OUT t trials) LANGUAGE plpgsql AS $$
  DECLARE
    v_name text;
    v_id integer;
    v_number integer;
  BEGIN
    PERFORM pg_advisory_xact_lock(${STUDY_LOCK}, p_study);
    SELECT name INTO v_name FROM studies WHERE id = p_study;
    IF NOT FOUND THEN status := 'no-study'; RETURN; END IF;
    IF p_key IS NOT NULL THEN
      SELECT id, number INTO v_id, v_number FROM trials WHERE study_id = p_study AND claim_key = p_key;
      IF FOUND THEN
        status := 'key-taken';
        detail := json_build_object('name', v_name, 'id', v_id, 'number', v_number)::text;
        RETURN;
      END IF;
    END IF;
    IF p_resume_of IS NOT NULL AND NOT EXISTS (SELECT 1 FROM trials WHERE id = p_resume_of AND study_id = p_study) THEN
      status := 'bad-resume'; RETURN;
    END IF;
    INSERT INTO trials (study_id, number, state, params, budget, rung, bracket, seed, resume_of, claim_key, created_at)
    VALUES (p_study, (SELECT coalesce(max(number) + 1, 0) FROM trials WHERE study_id = p_study),
            'waiting', p_params, p_budget, p_rung, p_bracket, p_seed, p_resume_of, p_key, p_now)
    RETURNING * INTO t;
    INSERT INTO trial_params (trial_id, name, value_type, value_num, value_text)
    SELECT t.id, p.name, p.value_type, p.value_num, p.value_text
    FROM unnest(p_names, p_types, p_nums, p_texts) AS p(name, value_type, value_num, value_text);
    UPDATE studies SET updated_at = p_now WHERE id = p_study;
    IF p_claim_by IS NOT NULL THEN
      UPDATE trials SET state = 'running', worker = p_claim_by, started_at = coalesce(started_at, p_now), heartbeat_at = p_now,
                        claims = claims + 1, lease_ms = p_lease_ms,
                        lease_until = clock_timestamp() + p_lease_ms * interval '1 millisecond'
      WHERE id = t.id AND state IN ('waiting', 'paused')
      RETURNING * INTO t;
      IF NOT FOUND THEN RAISE EXCEPTION 'trial % was not claimed', t.id; END IF;
    END IF;
    IF p_token IS NOT NULL THEN INSERT INTO write_tokens (token, result) VALUES (p_token, t.id::text); END IF;
    status := 'ok';
  END $$;

  CREATE FUNCTION tune_report(
    p_id integer, p_epoch integer, p_metrics text[], p_values double precision[], p_kinds text[],
    p_value double precision, p_kind text, p_now text, p_fence_worker text, p_fence_claim integer,
    OUT status text, OUT t trials) LANGUAGE plpgsql AS $$
  BEGIN
    SELECT * INTO t FROM trials WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN status := 'no-trial'; RETURN; END IF;
    IF ${FENCED} THEN status := 'fenced'; RETURN; END IF;
    IF t.state <> 'running' THEN status := 'not-running'; RETURN; END IF;
    IF cardinality(p_metrics) > 0 THEN ${UPSERT_REPORTS('p_id', 'p_epoch')} END IF;
    UPDATE trials SET
      value      = CASE WHEN p_epoch >= epochs THEN p_value ELSE value END,
      value_kind = CASE WHEN p_epoch >= epochs THEN p_kind ELSE value_kind END,
      epochs     = greatest(epochs, p_epoch),
      heartbeat_at = p_now
    WHERE id = p_id;
    status := 'ok';
  END $$;

  -- p_from: the states the trial may finish from (computed by the caller from the trial lifecycle's moves).
  -- p_metrics NULL: no final report to store.
  CREATE FUNCTION tune_finish_trial(
    p_id integer, p_state text, p_from text[], p_has_value boolean, p_value double precision, p_kind text,
    p_epochs integer, p_error_kind text, p_error_message text, p_checkpoint text, p_finished_at text, p_now text,
    p_metrics text[], p_values double precision[], p_kinds text[],
    p_fence_worker text, p_fence_claim integer, p_token text,
    OUT status text, OUT t trials) LANGUAGE plpgsql AS $$
  DECLARE
    v_study integer;
  BEGIN
    SELECT study_id INTO v_study FROM trials WHERE id = p_id;
    IF NOT FOUND THEN status := 'no-trial'; RETURN; END IF;
    PERFORM pg_advisory_xact_lock(${STUDY_LOCK}, v_study);
    SELECT * INTO t FROM trials WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN status := 'no-trial'; RETURN; END IF;
    IF ${FENCED} THEN status := 'fenced'; RETURN; END IF;
    IF NOT (t.state = ANY(p_from)) THEN status := 'refused'; RETURN; END IF;
    IF p_metrics IS NOT NULL AND cardinality(p_metrics) > 0 THEN ${UPSERT_REPORTS('p_id', 'p_epochs')} END IF;
    UPDATE trials SET state = p_state,
                      value = CASE WHEN p_has_value THEN p_value ELSE t.value END,
                      value_kind = CASE WHEN p_has_value THEN p_kind ELSE t.value_kind END,
                      epochs = greatest(t.epochs, p_epochs), error_kind = p_error_kind, error_message = p_error_message,
                      checkpoint = p_checkpoint, finished_at = p_finished_at, heartbeat_at = p_now, lease_until = NULL
    WHERE id = p_id
    RETURNING * INTO t;
    UPDATE studies SET updated_at = p_now WHERE id = v_study;
    IF p_token IS NOT NULL THEN INSERT INTO write_tokens (token, result) VALUES (p_token, t.id::text); END IF;
    status := 'ok';
  END $$;
`;

/**
 * Migration 5: createTrial with a window of numbers (`NewTrial.numbers`, storage/numbering.ts). The next number is
 * taken under the study's lock as before; `p_first` NULL accepts any number with the one entry (a create without a
 * window), otherwise the number must fall in the window and picks its entry: `p_seeds[i]`, `p_params[i]` and the
 * `trial_params` rows whose `p_cands` is i (0-based), and the key `#<number>` with `p_key_by_number`.
 */
export const CREATE_TRIAL_WINDOW_SQL = `
  DROP FUNCTION tune_create_trial(integer, text, double precision, integer, integer, bigint, integer, text, text,
    text[], text[], double precision[], text[], text, integer, text);
  CREATE FUNCTION tune_create_trial(
    p_study integer, p_budget double precision, p_rung integer, p_bracket integer, p_resume_of integer, p_key text,
    p_now text, p_first integer, p_seeds bigint[], p_params text[], p_key_by_number boolean,
    p_cands integer[], p_names text[], p_types text[], p_nums double precision[], p_texts text[],
    p_claim_by text, p_lease_ms integer, p_token text,
    OUT status text, OUT detail text, OUT t trials) LANGUAGE plpgsql AS $$
  DECLARE
    v_name text;
    v_id integer;
    v_number integer;
    v_next integer;
    v_i integer;
    v_key text;
  BEGIN
    PERFORM pg_advisory_xact_lock(${STUDY_LOCK}, p_study);
    SELECT name INTO v_name FROM studies WHERE id = p_study;
    IF NOT FOUND THEN status := 'no-study'; RETURN; END IF;
    SELECT coalesce(max(number) + 1, 0) INTO v_next FROM trials WHERE study_id = p_study;
    v_i := CASE WHEN p_first IS NULL THEN 0 ELSE v_next - p_first END;
    IF v_i < 0 OR v_i >= cardinality(p_seeds) THEN
      status := 'window';
      detail := json_build_object('name', v_name, 'number', v_next)::text;
      RETURN;
    END IF;
    v_key := CASE WHEN p_key_by_number THEN '#' || v_next ELSE p_key END;
    IF v_key IS NOT NULL THEN
      SELECT id, number INTO v_id, v_number FROM trials WHERE study_id = p_study AND claim_key = v_key;
      IF FOUND THEN
        status := 'key-taken';
        detail := json_build_object('name', v_name, 'id', v_id, 'number', v_number, 'key', v_key)::text;
        RETURN;
      END IF;
    END IF;
    IF p_resume_of IS NOT NULL AND NOT EXISTS (SELECT 1 FROM trials WHERE id = p_resume_of AND study_id = p_study) THEN
      status := 'bad-resume'; RETURN;
    END IF;
    INSERT INTO trials (study_id, number, state, params, budget, rung, bracket, seed, resume_of, claim_key, created_at)
    VALUES (p_study, v_next, 'waiting', p_params[v_i + 1], p_budget, p_rung, p_bracket, p_seeds[v_i + 1], p_resume_of,
            v_key, p_now)
    RETURNING * INTO t;
    INSERT INTO trial_params (trial_id, name, value_type, value_num, value_text)
    SELECT t.id, p.name, p.value_type, p.value_num, p.value_text
    FROM unnest(p_cands, p_names, p_types, p_nums, p_texts) AS p(cand, name, value_type, value_num, value_text)
    WHERE p.cand = v_i;
    UPDATE studies SET updated_at = p_now WHERE id = p_study;
    IF p_claim_by IS NOT NULL THEN
      UPDATE trials SET state = 'running', worker = p_claim_by, started_at = coalesce(started_at, p_now), heartbeat_at = p_now,
                        claims = claims + 1, lease_ms = p_lease_ms,
                        lease_until = clock_timestamp() + p_lease_ms * interval '1 millisecond'
      WHERE id = t.id AND state IN ('waiting', 'paused')
      RETURNING * INTO t;
      IF NOT FOUND THEN RAISE EXCEPTION 'trial % was not claimed', t.id; END IF;
    END IF;
    IF p_token IS NOT NULL THEN INSERT INTO write_tokens (token, result) VALUES (p_token, t.id::text); END IF;
    status := 'ok';
  END $$;
`;

/** The calls, as storage.ts runs them: the function's row comes back as the trial's own columns. */
export const CALL = {
  createTrial: `SELECT r.status, r.detail, (r.t).* FROM tune_create_trial(
    $1, $2, $3, $4, $5, $6, $7, $8, $9::bigint[], $10::text[], $11, $12::integer[], $13::text[], $14::text[],
    $15::double precision[], $16::text[], $17, $18, $19) AS r`,
  report: 'SELECT r.status, (r.t).* FROM tune_report($1, $2, $3::text[], $4::double precision[], $5::text[], $6, $7, $8, $9, $10) AS r',
  finishTrial: `SELECT r.status, (r.t).* FROM tune_finish_trial(
    $1, $2, $3::text[], $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::text[], $14::double precision[], $15::text[], $16, $17, $18) AS r`,
  // The finish's arguments, then since; the study's columns under s_ names (the trial's are its own), the report's under r_.
  finishAndRead: `SELECT r.kind, r.status, (r.trial).*,
      (r.report).trial_id AS r_trial_id, (r.report).epoch AS r_epoch, (r.report).metric AS r_metric,
      (r.report).value AS r_value, (r.report).value_kind AS r_value_kind,
      (r.study).id AS s_id, (r.study).name AS s_name, (r.study).space AS s_space, (r.study).direction AS s_direction,
      (r.study).metric AS s_metric, (r.study).strategy AS s_strategy, (r.study).seed AS s_seed,
      (r.study).backend AS s_backend, (r.study).created_at AS s_created_at, (r.study).updated_at AS s_updated_at,
      (r.study).definition AS s_definition, (r.study).seq AS s_seq
    FROM tune_finish_and_read(
    $1, $2, $3::text[], $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::text[], $14::double precision[], $15::text[], $16, $17, $18, $19) AS r`,
  // A claim and its write token in one statement (the token's result is the trial id, or 'null' when none was claimed).
  claimTrial: `
    WITH c AS (
      UPDATE trials SET state = 'running', worker = $2, started_at = coalesce(started_at, $3), heartbeat_at = $3,
                        claims = claims + 1, lease_ms = $4::integer,
                        lease_until = clock_timestamp() + $4::integer * interval '1 millisecond'
      WHERE id = $1 AND state IN ('waiting', 'paused')
      RETURNING *
    ), tok AS (
      INSERT INTO write_tokens (token, result) SELECT $5, coalesce((SELECT id::text FROM c), 'null')
    )
    SELECT * FROM c`,
} as const;

/**
 * `changesSince` as one simple-protocol message: its own REPEATABLE READ snapshot, three SELECTs, COMMIT. `study` and
 * `since` are checked integers, so they are written into the text (the simple protocol takes no parameters).
 */
export function changesSinceBatch(study: number, since: number): string {
  if (!Number.isSafeInteger(study) || !Number.isSafeInteger(since)) throw new Error('changesSinceBatch takes integers');
  return `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
    SELECT * FROM studies WHERE id = ${study};
    SELECT * FROM trials WHERE study_id = ${study} AND seq > ${since} ORDER BY number;
    SELECT r.trial_id, r.epoch, r.metric, r.value, r.value_kind
    FROM trials t JOIN reports r ON r.trial_id = t.id
    WHERE t.study_id = ${study} AND t.seq > ${since} AND r.seq > ${since}
    ORDER BY r.trial_id, r.epoch, r.metric;
    COMMIT`;
}
