import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StorageError, StudyMismatchError, TuneError } from '../core/errors.js';
import {
  TRIAL_STATES, type EpochReport, type Metrics, type RankedTrial, type StudyId, type StudyRecord, type StudySpec,
  type TrialId, type TrialOutcome, type TrialRecord, type TrialState,
} from '../core/types.js';
import { migrate, schemaVersion } from './migrations.js';
import { prepareStatements, type Statements } from './queries.js';
import {
  canonicalJson, encodeNumber, encodeParam, toCurves, toEpochReports, toStudyRecord, toTrialRecord, type EncodedNumber,
  type StudyRow, type TrialRow,
} from './rows.js';
import type { NewTrial, Storage, StudySummary, TrialFilter } from './types.js';
import { checkNewTrial, checkOutcome, checkPromotion, checkReport, checkStudySpec } from './validate.js';

export interface SqliteStorageOptions {
  /** Clock for timestamps; injectable so tests can pin them. */
  readonly now?: () => Date;
  /** How long a write waits for another process's lock before failing (ms). */
  readonly busyTimeoutMs?: number;
}

export interface SqliteDiagnostics {
  readonly schemaVersion: number;
  readonly journalMode: string;
  /** `['ok']` for a healthy file; otherwise SQLite's list of problems. */
  readonly integrity: readonly string[];
}

const FINISHED: readonly TrialState[] = ['complete', 'pruned', 'failed'];

/**
 * The moves `finishTrial` makes: a running trial to any outcome; a waiting one only to failed (it never ran);
 * a paused one to any finished state without running again (a multi-fidelity loser is pruned from paused).
 */
function canFinish(from: TrialState, to: TrialOutcome['state']): boolean {
  if (from === 'running') return true;
  if (from === 'waiting') return to === 'failed';
  if (from === 'paused') return to !== 'paused';
  return false;
}

/** `Storage` on one SQLite file. Each method is one transaction; writes take the lock up front (BEGIN IMMEDIATE). */
export class SqliteStorage implements Storage {
  private readonly q: Statements;

  private constructor(
    private readonly db: Database.Database,
    /** The file this storage writes, or ':memory:'. */
    readonly path: string,
    private readonly clock: () => Date,
  ) {
    this.q = prepareStatements(db);
  }

  static open(file: string, options: SqliteStorageOptions = {}): SqliteStorage {
    let db: Database.Database | undefined;
    try {
      if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      db = new Database(file);
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL'); // safe under WAL: a crash may lose the last commits, never corrupt
      db.pragma('foreign_keys = ON');
      migrate(db, undefined, file);
      return new SqliteStorage(db, file, options.now ?? (() => new Date()));
    } catch (e) {
      db?.close();
      if (e instanceof TuneError) throw e;
      throw new StorageError(`cannot open the database ${file}: ${messageOf(e)}`, { cause: e });
    }
  }

  async openStudy(spec: StudySpec): Promise<StudyRecord> {
    checkStudySpec(spec);
    const space = canonicalJson(spec.space);
    return this.write('openStudy', () => {
      const row = this.q.studyByName.get(spec.name);
      if (!row) {
        const inserted = this.q.insertStudy.get({
          name: spec.name, space, direction: spec.direction, metric: spec.metric, strategy: spec.strategy,
          seed: spec.seed, now: this.now(),
        });
        if (!inserted) throw new StorageError(`study "${spec.name}" was not inserted`);
        return toStudyRecord(inserted);
      }
      checkSameStudy(row, spec, space);
      return toStudyRecord(row);
    });
  }

  async getStudy(name: string): Promise<StudyRecord | null> {
    return this.read('getStudy', () => {
      const row = this.q.studyByName.get(name);
      return row ? toStudyRecord(row) : null;
    });
  }

  async studies(): Promise<readonly StudySummary[]> {
    return this.read('studies', () => {
      const counts = new Map<number, Record<TrialState, number>>();
      for (const c of this.q.stateCounts.all()) {
        let perState = counts.get(c.study_id);
        if (!perState) counts.set(c.study_id, (perState = zeroCounts()));
        perState[c.state] = c.n;
      }
      const best = new Map(this.q.bestValues.all().map((b) => [b.study_id, b.best]));
      return this.q.allStudies.all().map((row) => ({
        study: toStudyRecord(row),
        counts: counts.get(row.id) ?? zeroCounts(),
        best: best.get(row.id) ?? null,
      }));
    });
  }

  async setStudyBackend(study: StudyId, backend: string): Promise<void> {
    this.write('setStudyBackend', () => {
      if (this.q.setBackend.run({ id: study, backend, now: this.now() }).changes === 0) {
        throw new StorageError(`no study with id ${study}`);
      }
    });
  }

  async createTrial(study: StudyId, trial: NewTrial): Promise<TrialRecord> {
    checkNewTrial(trial);
    const params = canonicalJson(trial.params);
    return this.write('createTrial', () => {
      const now = this.now();
      if (!this.q.studyById.get(study)) throw new StorageError(`no study with id ${study}`);
      if (trial.resumeOf !== undefined && this.q.trialById.get(trial.resumeOf)?.study_id !== study) {
        throw new StorageError(`resumeOf: no trial with id ${trial.resumeOf} in study ${study}`);
      }
      const row = this.q.insertTrial.get({
        study_id: study, params, budget: trial.budget, rung: trial.rung ?? null, bracket: trial.bracket ?? null,
        seed: trial.seed, resume_of: trial.resumeOf ?? null, now,
      });
      if (!row) throw new StorageError(`trial for study ${study} was not inserted`);
      for (const [name, v] of Object.entries(trial.params)) {
        this.q.insertParam.run({ trial_id: row.id, ...encodeParam(name, v) });
      }
      this.q.touchStudy.run({ id: study, now });
      return toTrialRecord(row);
    });
  }

  async claimTrial(id: TrialId, worker: string): Promise<boolean> {
    return this.write('claimTrial', () => this.q.claimTrial.run({ id, worker, now: this.now() }).changes === 1);
  }

  async report(id: TrialId, epoch: number, metrics: Metrics, value: number): Promise<void> {
    checkReport(epoch, metrics, value);
    this.write('report', () => {
      const row = this.mustGetTrial(id);
      if (row.state !== 'running') {
        throw new StorageError(`trial ${id} is ${row.state}: only a running trial can report`);
      }
      this.upsertReports(id, epoch, metrics);
      const v = encodeNumber(value);
      this.q.advanceTrial.run({ id, epoch, value: v.value, value_kind: v.kind, now: this.now() });
    });
  }

  async finishTrial(id: TrialId, outcome: TrialOutcome): Promise<TrialRecord> {
    checkOutcome(outcome);
    return this.write('finishTrial', () => {
      const row = this.mustGetTrial(id);
      if (FINISHED.includes(row.state)) {
        throw new StorageError(`trial ${id} is already ${row.state} and can't change again (to ${outcome.state})`);
      }
      if (!canFinish(row.state, outcome.state)) {
        throw new StorageError(`trial ${id} is ${row.state}: it can't become ${outcome.state}`);
      }

      // Final metrics land on the epoch they belong to, so they match per-epoch reports (upsert: no duplicates).
      if (outcome.metrics && outcome.epochs >= 1) this.upsertReports(id, outcome.epochs, outcome.metrics);
      const now = this.now();
      const v: EncodedNumber | null = outcome.value === undefined ? null : encodeNumber(outcome.value);
      const updated = this.q.finishTrial.get({
        id,
        state: outcome.state,
        value: v ? v.value : row.value,
        value_kind: v ? v.kind : row.value_kind,
        // Epochs never go back: a resumed trial whose worker died before its first new epoch still has its reports.
        epochs: Math.max(row.epochs, outcome.epochs),
        error_kind: outcome.error?.kind ?? null,
        error_message: outcome.error?.message ?? null,
        // The checkpoint describes the trial as this outcome leaves it; without one, an older one is stale.
        checkpoint: outcome.checkpoint ?? null,
        finished_at: outcome.state === 'paused' ? null : now,
        now,
      });
      if (!updated) throw new StorageError(`trial ${id} vanished while finishing`);
      this.q.touchStudy.run({ id: row.study_id, now });
      return toTrialRecord(updated);
    });
  }

  async promoteTrial(id: TrialId, budget: number, rung: number): Promise<TrialRecord> {
    checkPromotion(budget, rung);
    return this.write('promoteTrial', () => {
      const row = this.mustGetTrial(id);
      const refuse = (why: string): never => {
        throw new StorageError(`can't promote trial ${id} to budget ${budget}, rung ${rung}: ${why}`);
      };
      if (row.state !== 'paused') refuse(`it is ${row.state}, and only a paused trial can be promoted`);
      if (!(budget > row.budget)) refuse(`the budget must grow past its current ${row.budget}`);
      if (!(budget > row.epochs)) refuse(`it has already trained ${row.epochs} epochs`);
      if (row.rung !== null && rung < row.rung) refuse(`it is already at rung ${row.rung}`);
      const now = this.now();
      const updated = this.q.promoteTrial.get({ id, budget, rung, now });
      if (!updated) throw new StorageError(`trial ${id} changed while being promoted`);
      this.q.touchStudy.run({ id: row.study_id, now });
      return toTrialRecord(updated);
    });
  }

  async objectiveCurves(study: StudyId, metric: string): Promise<ReadonlyMap<TrialId, readonly number[]>> {
    return this.read('objectiveCurves', () => toCurves(this.q.objectiveReports.all({ study_id: study, metric })));
  }

  async trial(id: TrialId): Promise<TrialRecord | null> {
    return this.read('trial', () => {
      const row = this.q.trialById.get(id);
      return row ? toTrialRecord(row) : null;
    });
  }

  async trials(study: StudyId, filter?: TrialFilter): Promise<readonly TrialRecord[]> {
    const states = filter?.states ? JSON.stringify(filter.states) : null;
    return this.read('trials', () => this.q.trialsOf.all({ study_id: study, states }).map(toTrialRecord));
  }

  async reports(id: TrialId): Promise<readonly EpochReport[]> {
    return this.read('reports', () => toEpochReports(this.q.reportsOf.all(id)));
  }

  /** `limit` may be `Infinity` for every trial. */
  async leaderboard(study: StudyId, limit: number): Promise<readonly RankedTrial[]> {
    if (!(limit === Infinity || (Number.isSafeInteger(limit) && limit >= 0))) {
      throw new StorageError(`leaderboard limit must be an integer >= 0 or Infinity, got ${limit}`);
    }
    return this.read('leaderboard', () => {
      if (!this.q.studyById.get(study)) throw new StorageError(`no study with id ${study}`);
      const rows = this.q.leaderboard.all({ study_id: study, limit: limit === Infinity ? -1 : limit });
      return rows.map(({ rank, ...row }) => ({ rank, trial: toTrialRecord(row) }));
    });
  }

  /** Schema version, journal mode and `PRAGMA integrity_check`, for `tune doctor` and tests. */
  diagnostics(): SqliteDiagnostics {
    return this.read('diagnostics', () => ({
      schemaVersion: schemaVersion(this.db),
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      integrity: (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check),
    }));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private now(): string {
    return this.clock().toISOString();
  }

  private mustGetTrial(id: TrialId): TrialRow {
    const row = this.q.trialById.get(id);
    if (!row) throw new StorageError(`no trial with id ${id}`);
    return row;
  }

  private upsertReports(id: TrialId, epoch: number, metrics: Metrics): void {
    for (const [metric, x] of Object.entries(metrics)) {
      const v = encodeNumber(x);
      this.q.upsertReport.run({ trial_id: id, epoch, metric, value: v.value, value_kind: v.kind });
    }
  }

  private read<T>(what: string, fn: () => T): T {
    return this.transact(what, fn, 'deferred');
  }

  private write<T>(what: string, fn: () => T): T {
    return this.transact(what, fn, 'immediate');
  }

  /** Runs `fn` as one transaction; anything that isn't already a TuneError comes out as a StorageError. */
  private transact<T>(what: string, fn: () => T, mode: 'deferred' | 'immediate'): T {
    if (!this.db.open) throw new StorageError(`${what}: the database ${this.path} is closed`);
    try {
      return this.db.transaction(fn)[mode]();
    } catch (e) {
      if (e instanceof TuneError) throw e;
      throw new StorageError(`${what} failed on ${this.path}: ${messageOf(e)}`, { cause: e });
    }
  }
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function zeroCounts(): Record<TrialState, number> {
  return Object.fromEntries(TRIAL_STATES.map((s) => [s, 0])) as Record<TrialState, number>;
}

function checkSameStudy(row: StudyRow, spec: StudySpec, space: string): void {
  const diffs: string[] = [];
  if (canonicalJson(JSON.parse(row.space)) !== space) diffs.push('search space');
  if (row.direction !== spec.direction) diffs.push(`direction (stored ${row.direction}, new ${spec.direction})`);
  if (row.metric !== spec.metric) diffs.push(`metric (stored ${row.metric}, new ${spec.metric})`);
  if (diffs.length > 0) {
    throw new StudyMismatchError(
      `study "${spec.name}" already exists with a different ${diffs.join(', ')}. ` +
        'Give this sweep another name, or run it with the same space, direction and metric to resume the study.',
    );
  }
}
