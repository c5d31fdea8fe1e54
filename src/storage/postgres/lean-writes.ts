/**
 * Migration 6's server functions (migrations.ts): the per-trial functions of functions.ts, redefined to write less,
 * and the finish that reads the study's changes in the same statement. Migrations are history, so the bodies that
 * stay the same are repeated here in full rather than patched.
 */
import { FENCED, UPSERT_REPORTS } from './functions.js';
import { STUDY_LOCK } from './queries.js';

/**
 * Migration 6: fewer row writes per call, for the per-trial CPU of the server (issue 13 §8's 50 ms-sleep row).
 * Before, one trial cost 7 updates of its study's row (5 change-number bumps, 2 `updated_at`), each re-checking
 * the study's JSON columns, and `tune_next_seq` was a LANGUAGE sql function, parsed and planned again on every call.
 * - `tune_next_seq` is plpgsql (its UPDATE planned once per session) and takes one number per transaction and
 *   study: every change a transaction makes shares it. That keeps the feed's rule (a reader at seq N has seen every
 *   change up to N): the study row stays locked from the first bump to the commit, so numbers still commit in
 *   order, and a reader sees a transaction's changes all at once or not at all. The number is kept in a
 *   transaction-local setting keyed by the transaction id (a rolled-back subtransaction's setting is rolled back).
 * - `tune_touch_study` sets `updated_at` in the same update as the bump; create and finish call it first.
 * - A claimed create inserts the trial as running (one row version instead of two); a report updates its trial
 *   before its report rows, so the report trigger finds the trial already carrying the transaction's number.
 * - The JSON checks of `studies.space`, `studies.definition` and `trials.params` run in triggers on those
 *   columns, not as CHECKs that every update of the row evaluates. The cast raises the same error as before.
 */
export const LEAN_WRITES_SQL = `
  CREATE OR REPLACE FUNCTION tune_next_seq(study integer) RETURNS bigint LANGUAGE plpgsql AS $$
  DECLARE
    v_key text := pg_current_xact_id()::text || ':' || study || ':';
    v_held text := current_setting('tune.seq', true);
    v_seq bigint;
  BEGIN
    IF starts_with(v_held, v_key) THEN RETURN substr(v_held, length(v_key) + 1)::bigint; END IF;
    UPDATE studies SET seq = seq + 1 WHERE id = study RETURNING seq INTO v_seq;
    PERFORM set_config('tune.seq', v_key || v_seq, true);
    RETURN v_seq;
  END $$;

  CREATE FUNCTION tune_touch_study(study integer, p_now text) RETURNS void LANGUAGE plpgsql AS $$
  DECLARE
    v_key text := pg_current_xact_id()::text || ':' || study || ':';
    v_seq bigint;
  BEGIN
    IF starts_with(current_setting('tune.seq', true), v_key) THEN
      UPDATE studies SET updated_at = p_now WHERE id = study;
      RETURN;
    END IF;
    UPDATE studies SET seq = seq + 1, updated_at = p_now WHERE id = study RETURNING seq INTO v_seq;
    PERFORM set_config('tune.seq', v_key || v_seq, true);
  END $$;

  CREATE OR REPLACE FUNCTION tune_report_seq() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    NEW.seq := tune_next_seq((SELECT study_id FROM trials WHERE id = NEW.trial_id));
    UPDATE trials SET seq = NEW.seq WHERE id = NEW.trial_id AND seq IS DISTINCT FROM NEW.seq;
    RETURN NEW;
  END $$;

  ALTER TABLE studies DROP CONSTRAINT studies_space_check, DROP CONSTRAINT studies_definition_check;
  ALTER TABLE trials DROP CONSTRAINT trials_params_check;
  CREATE FUNCTION tune_check_study_json() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM NEW.space::json, NEW.definition::json;
    RETURN NEW;
  END $$;
  CREATE TRIGGER studies_json BEFORE INSERT OR UPDATE OF space, definition ON studies
    FOR EACH ROW EXECUTE FUNCTION tune_check_study_json();
  CREATE FUNCTION tune_check_trial_json() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM NEW.params::json;
    RETURN NEW;
  END $$;
  CREATE TRIGGER trials_json BEFORE INSERT OR UPDATE OF params ON trials
    FOR EACH ROW EXECUTE FUNCTION tune_check_trial_json();

  CREATE OR REPLACE FUNCTION tune_create_trial(
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
    v_claimed boolean := p_claim_by IS NOT NULL;
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
    PERFORM tune_touch_study(p_study, p_now);
    -- Claimed at once: the row a waiting insert followed by the claim's update would leave.
    INSERT INTO trials (study_id, number, state, params, budget, rung, bracket, seed, resume_of, claim_key, created_at,
                        worker, started_at, heartbeat_at, claims, lease_ms, lease_until)
    VALUES (p_study, v_next, CASE WHEN v_claimed THEN 'running' ELSE 'waiting' END, p_params[v_i + 1], p_budget,
            p_rung, p_bracket, p_seeds[v_i + 1], p_resume_of, v_key, p_now,
            p_claim_by, CASE WHEN v_claimed THEN p_now END, CASE WHEN v_claimed THEN p_now END,
            CASE WHEN v_claimed THEN 1 ELSE 0 END, CASE WHEN v_claimed THEN p_lease_ms END,
            CASE WHEN v_claimed THEN clock_timestamp() + p_lease_ms * interval '1 millisecond' END)
    RETURNING * INTO t;
    INSERT INTO trial_params (trial_id, name, value_type, value_num, value_text)
    SELECT t.id, p.name, p.value_type, p.value_num, p.value_text
    FROM unnest(p_cands, p_names, p_types, p_nums, p_texts) AS p(cand, name, value_type, value_num, value_text)
    WHERE p.cand = v_i;
    IF p_token IS NOT NULL THEN INSERT INTO write_tokens (token, result) VALUES (p_token, t.id::text); END IF;
    status := 'ok';
  END $$;

  CREATE OR REPLACE FUNCTION tune_report(
    p_id integer, p_epoch integer, p_metrics text[], p_values double precision[], p_kinds text[],
    p_value double precision, p_kind text, p_now text, p_fence_worker text, p_fence_claim integer,
    OUT status text, OUT t trials) LANGUAGE plpgsql AS $$
  BEGIN
    SELECT * INTO t FROM trials WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN status := 'no-trial'; RETURN; END IF;
    IF ${FENCED} THEN status := 'fenced'; RETURN; END IF;
    IF t.state <> 'running' THEN status := 'not-running'; RETURN; END IF;
    UPDATE trials SET
      value      = CASE WHEN p_epoch >= epochs THEN p_value ELSE value END,
      value_kind = CASE WHEN p_epoch >= epochs THEN p_kind ELSE value_kind END,
      epochs     = greatest(epochs, p_epoch),
      heartbeat_at = p_now
    WHERE id = p_id;
    IF cardinality(p_metrics) > 0 THEN ${UPSERT_REPORTS('p_id', 'p_epoch')} END IF;
    status := 'ok';
  END $$;

  CREATE OR REPLACE FUNCTION tune_finish_trial(
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
    PERFORM tune_touch_study(v_study, p_now);
    UPDATE trials SET state = p_state,
                      value = CASE WHEN p_has_value THEN p_value ELSE t.value END,
                      value_kind = CASE WHEN p_has_value THEN p_kind ELSE t.value_kind END,
                      epochs = greatest(t.epochs, p_epochs), error_kind = p_error_kind, error_message = p_error_message,
                      checkpoint = p_checkpoint, finished_at = p_finished_at, heartbeat_at = p_now, lease_until = NULL
    WHERE id = p_id
    RETURNING * INTO t;
    IF p_metrics IS NOT NULL AND cardinality(p_metrics) > 0 THEN
      ${UPSERT_REPORTS('p_id', 'p_epochs')}
    END IF;
    IF p_token IS NOT NULL THEN INSERT INTO write_tokens (token, result) VALUES (p_token, t.id::text); END IF;
    status := 'ok';
  END $$;
`;

/**
 * Also migration 6: a finish that reads the study's changes in the same round trip (`Storage.finishAndRead`). A
 * tuner finishes a trial and then asks its strategy, which needs the changes since its last look: with this, one
 * round trip instead of two per trial. The reads run after the finish, in its transaction, while it holds the study
 * row (its change number): no other change to the study can commit in between, so they see the study exactly as of
 * this commit. Rows: 'finish' (its status and trial, as `tune_finish_trial` returns them), then, if it finished,
 * 'study', each changed 'trial' (by number) and each changed 'report' (by trial, epoch, metric), as changesSince.
 */
export const FINISH_AND_READ_SQL = `
  CREATE FUNCTION tune_finish_and_read(
    p_id integer, p_state text, p_from text[], p_has_value boolean, p_value double precision, p_kind text,
    p_epochs integer, p_error_kind text, p_error_message text, p_checkpoint text, p_finished_at text, p_now text,
    p_metrics text[], p_values double precision[], p_kinds text[],
    p_fence_worker text, p_fence_claim integer, p_token text, p_since bigint)
  RETURNS TABLE (kind text, status text, trial trials, report reports, study studies) LANGUAGE plpgsql AS $$
  DECLARE
    v_done record;
    v_study integer;
  BEGIN
    SELECT f.status, f.t INTO v_done FROM tune_finish_trial(p_id, p_state, p_from, p_has_value, p_value, p_kind,
      p_epochs, p_error_kind, p_error_message, p_checkpoint, p_finished_at, p_now, p_metrics, p_values, p_kinds,
      p_fence_worker, p_fence_claim, p_token) AS f;
    kind := 'finish'; status := v_done.status; trial := v_done.t;
    RETURN NEXT;
    IF v_done.status IS DISTINCT FROM 'ok' THEN RETURN; END IF;
    v_study := (v_done.t).study_id;
    RETURN QUERY SELECT 'study'::text, NULL::text, NULL::trials, NULL::reports, s FROM studies s WHERE s.id = v_study;
    -- EXECUTE: planned for these values each time, as changesSince's statements are. A cached plan can't know that
    -- seq > since keeps a few rows and scans the whole study instead of the (study_id, seq) index.
    RETURN QUERY EXECUTE 'SELECT ''trial''::text, NULL::text, t, NULL::reports, NULL::studies FROM trials t
      WHERE t.study_id = $1 AND t.seq > $2 ORDER BY t.number' USING v_study, p_since;
    RETURN QUERY EXECUTE 'SELECT ''report''::text, NULL::text, NULL::trials, r, NULL::studies
      FROM trials t JOIN reports r ON r.trial_id = t.id
      WHERE t.study_id = $1 AND t.seq > $2 AND r.seq > $2
      ORDER BY r.trial_id, r.epoch, r.metric' USING v_study, p_since;
  END $$;
`;
