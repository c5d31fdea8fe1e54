import type Database from 'better-sqlite3';
import { StorageError } from '../core/errors.js';

/** One schema step. Versions start at 1 and go up by one; never edit a released migration, add a new one. */
export interface Migration {
  readonly version: number;
  readonly sql: string;
}

// Numeric columns that may hold NaN/±Infinity pair a REAL with a kind: SQLite stores NaN as NULL,
// so the kind is the source of truth. ±Infinity is kept in the REAL too, so ORDER BY stays correct.
const valueCheck = (value: string, kind: string, nullable: boolean): string =>
  `CHECK (${nullable ? `(${kind} IS NULL AND ${value} IS NULL) OR ` : ''}` +
  `(${kind} = 'nan' AND ${value} IS NULL) OR ` +
  `(${kind} = 'finite' AND ${value} IS NOT NULL AND abs(${value}) < 9e999) OR ` +
  `(${kind} = 'inf' AND ${value} = 9e999) OR (${kind} = '-inf' AND ${value} = -9e999))`;

// Every trial column but seq and heartbeat_at: an UPDATE that sets any of them is a change (UPDATE OF fires on the
// columns an UPDATE sets, so the trigger's own `SET seq` never re-fires it).
const TRIAL_CHANGE_COLUMNS =
  'study_id, number, state, params, budget, rung, bracket, seed, value, value_kind, epochs, error_kind, ' +
  'error_message, checkpoint, worker, created_at, started_at, finished_at, resume_of, attempts, claim_key';
const REPORT_STUDY = '(SELECT study_id FROM trials WHERE id = NEW.trial_id)';
// A report's trial takes the report's seq too, so a reader finds changed reports through changed trials.
const TRIAL_OF_REPORT = 'id = NEW.trial_id';

/** A trigger that takes the study's next seq and stamps it on the written row (and on its trial, for a report). */
function seqTrigger(name: string, event: string, study: string, table: string, row: string, trial?: string): string {
  const next = `(SELECT seq FROM studies WHERE id = ${study})`;
  return `
      CREATE TRIGGER ${name} ${event} BEGIN
        UPDATE studies SET seq = seq + 1 WHERE id = ${study};
        ${table === 'studies' ? '' : `UPDATE ${table} SET seq = ${next} WHERE ${row};`}
        ${trial ? `UPDATE trials SET seq = ${next} WHERE ${trial};` : ''}
      END;`;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE studies (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
        space       TEXT NOT NULL CHECK (json_valid(space)),
        direction   TEXT NOT NULL CHECK (direction IN ('maximize', 'minimize')),
        metric      TEXT NOT NULL,
        strategy    TEXT NOT NULL,
        seed        INTEGER NOT NULL,
        backend     TEXT,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );

      CREATE TABLE trials (
        id            INTEGER PRIMARY KEY,
        study_id      INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
        number        INTEGER NOT NULL CHECK (number >= 0),
        state         TEXT NOT NULL
                      CHECK (state IN ('waiting', 'running', 'paused', 'complete', 'pruned', 'failed')),
        params        TEXT NOT NULL CHECK (json_valid(params)),
        budget        INTEGER NOT NULL,
        rung          INTEGER,
        bracket       INTEGER,
        seed          INTEGER NOT NULL,
        value         REAL,
        value_kind    TEXT,
        epochs        INTEGER NOT NULL DEFAULT 0 CHECK (epochs >= 0),
        error_kind    TEXT,
        error_message TEXT,
        checkpoint    TEXT,
        worker        TEXT,
        created_at    TEXT NOT NULL,
        started_at    TEXT,
        finished_at   TEXT,
        heartbeat_at  TEXT,
        resume_of     INTEGER REFERENCES trials(id),
        UNIQUE (study_id, number),
        ${valueCheck('value', 'value_kind', true)},
        CHECK ((error_kind IS NULL) = (error_message IS NULL))
      );
      CREATE INDEX trials_study_state ON trials (study_id, state);
      CREATE INDEX trials_study_value ON trials (study_id, value);

      -- One row per param so trials can be filtered by value in SQL; trials.params stays the source of truth.
      CREATE TABLE trial_params (
        trial_id    INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
        name        TEXT NOT NULL,
        value_type  TEXT NOT NULL CHECK (value_type IN ('number', 'string', 'boolean')),
        value_num   REAL,
        value_text  TEXT,
        PRIMARY KEY (trial_id, name),
        CHECK ((value_type = 'number') = (value_num IS NOT NULL AND value_text IS NULL))
      ) WITHOUT ROWID;
      CREATE INDEX trial_params_name_num ON trial_params (name, value_num);

      CREATE TABLE reports (
        trial_id    INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
        epoch       INTEGER NOT NULL CHECK (epoch >= 1),
        metric      TEXT NOT NULL,
        value       REAL,
        value_kind  TEXT NOT NULL,
        UNIQUE (trial_id, epoch, metric),
        ${valueCheck('value', 'value_kind', false)}
      );
    `,
  },
  {
    // Crash-safe, shared sweeps: retries are counted, a config key stops two tuners creating the same trial,
    // and the study keeps the full space of its latest run so it can be resumed without the file.
    version: 2,
    sql: `
      ALTER TABLE trials ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0);
      ALTER TABLE trials ADD COLUMN claim_key TEXT;
      CREATE UNIQUE INDEX trials_study_claim_key ON trials (study_id, claim_key) WHERE claim_key IS NOT NULL;
      ALTER TABLE studies ADD COLUMN definition TEXT CHECK (definition IS NULL OR json_valid(definition));
    `,
  },
  {
    // A change sequence per study, for readers that follow a running sweep (the dashboard; later, tuners sharing a
    // study): every write of a trial or a report takes the study's next seq, so "what changed since seq N" is one
    // indexed query. Triggers bump it, so every write path is covered, now and later. A heartbeat alone is not a
    // change (it would wake every reader every few seconds for nothing); nor is `updated_at`.
    // Rows written before this migration are change 1 of their study.
    version: 3,
    sql: `
      ALTER TABLE studies ADD COLUMN seq INTEGER NOT NULL DEFAULT 0 CHECK (seq >= 0);
      ALTER TABLE trials ADD COLUMN seq INTEGER NOT NULL DEFAULT 0 CHECK (seq >= 0);
      ALTER TABLE reports ADD COLUMN seq INTEGER NOT NULL DEFAULT 0 CHECK (seq >= 0);
      UPDATE trials SET seq = 1;
      UPDATE reports SET seq = 1;
      UPDATE studies SET seq = 1 WHERE id IN (SELECT study_id FROM trials);
      CREATE INDEX trials_study_seq ON trials (study_id, seq);
      CREATE INDEX reports_trial_seq ON reports (trial_id, seq);

      ${seqTrigger('trials_seq_insert', 'AFTER INSERT ON trials', 'NEW.study_id', 'trials', 'id = NEW.id')}
      ${seqTrigger('trials_seq_update', `AFTER UPDATE OF ${TRIAL_CHANGE_COLUMNS} ON trials`, 'NEW.study_id', 'trials', 'id = NEW.id')}
      ${seqTrigger('reports_seq_insert', 'AFTER INSERT ON reports', REPORT_STUDY, 'reports', 'rowid = NEW.rowid', TRIAL_OF_REPORT)}
      ${seqTrigger('reports_seq_update', 'AFTER UPDATE OF value, value_kind ON reports', REPORT_STUDY, 'reports', 'rowid = NEW.rowid', TRIAL_OF_REPORT)}
      ${seqTrigger('studies_seq_update', 'AFTER UPDATE OF name, backend, definition ON studies', 'NEW.id', 'studies', 'id = NEW.id')}
    `,
  },
  {
    // Leases and fencing (issue 13 §2): each claim counts up \`claims\` (the holder's fencing token) and records the
    // lease it took; the lease runs until heartbeat_at + lease_ms. Both change only with a claim, which changes the
    // state too, so migration 3's trigger already gives the claim its seq. Trials stored before have no lease.
    version: 4,
    sql: `
      ALTER TABLE trials ADD COLUMN claims INTEGER NOT NULL DEFAULT 0 CHECK (claims >= 0);
      ALTER TABLE trials ADD COLUMN lease_ms INTEGER CHECK (lease_ms IS NULL OR lease_ms > 0);
      UPDATE trials SET claims = 1 WHERE started_at IS NOT NULL;
    `,
  },
];

export const LATEST_VERSION: number = MIGRATIONS.length;

interface VersionRow {
  readonly version: number;
}

/** The stored schema version; 0 for a fresh database. */
export function schemaVersion(db: Database.Database): number {
  const hasTable = db
    .prepare<[], { readonly n: number }>(
      "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
    )
    .get();
  if (!hasTable || hasTable.n === 0) return 0;
  return db.prepare<[], VersionRow>('SELECT version FROM schema_version WHERE id = 1').get()?.version ?? 0;
}

/** Refuses a file written by a newer tune, whose schema this version can't know. */
export function checkNotNewer(file: string, current: number, latest: number = LATEST_VERSION): void {
  if (current > latest) {
    throw new StorageError(
      `${file} has schema version ${current}, but this version of tune only knows up to ${latest}. ` +
        'It was written by a newer tune: upgrade tune, or use another database file.',
    );
  }
}

/**
 * Brings the database up to `migrations`' latest version, one immediate transaction per migration.
 * The version is re-read inside each transaction, so two processes opening the same new file don't both apply it.
 * Returns the version the database is at afterwards.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS, file = 'database'): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new StorageError(`migration ${i} has version ${m.version}, expected ${i + 1}`);
  });
  const latest = migrations.length;
  db.transaction(() => {
    db.exec(
      'CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)',
    );
    db.exec('INSERT OR IGNORE INTO schema_version (id, version) VALUES (1, 0)');
  }).immediate();

  const current = schemaVersion(db);
  checkNotNewer(file, current, latest);
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      if (schemaVersion(db) >= m.version) return; // another process got here first
      db.exec(m.sql);
      db.prepare('UPDATE schema_version SET version = ? WHERE id = 1').run(m.version);
    }).immediate();
  }
  return schemaVersion(db);
}
