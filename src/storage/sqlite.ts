import type Database from 'better-sqlite3';
import { storedReduce, tieBreakMetric } from '../core/objective.js';
import { ConflictError, StorageError, TuneError, errorMessage } from '../core/errors.js';
import { canMove, isFinishedState } from '../core/trial-state.js';
import type {
  EpochReport, Metrics, RankedTrial, StudyId, StudyRecord, StudySpec, TrialId, TrialOutcome, TrialRecord,
  TrialState,
} from '../core/types.js';
import { schemaVersion } from './migrations.js';
import { fileFailure, openDatabase } from './open.js';
import { prepareStatements, type Statements } from './queries.js';
import { atNumber, outsideWindow } from './numbering.js';
import {
  canonicalJson, encodeNumber, encodeParam, toCurves, toEpochReports, toStudyRecord, toTrialRecord, zeroCounts,
  type EncodedNumber, type TrialRow,
} from './rows.js';
import type { Fence, NewTrial, OpenOptions, RequeueOptions, Storage, StudyChanges, StudySummary, TrialFilter } from './types.js';
import {
  checkFence, checkHolder, checkLease, checkNewTrial, checkOutcome, checkPromotable, checkPromotion, checkReport, checkRequeue, checkSameStudy,
  checkStudyName, checkStudySpec, checkTrialIds,
} from './validate.js';


export interface SqliteStorageOptions extends OpenOptions {
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

/** `Storage` on one SQLite file. Each method is one transaction; writes take the lock up front (BEGIN IMMEDIATE). */
export class SqliteStorage implements Storage {
  private readonly q: Statements;

  private constructor(
    private readonly db: Database.Database,
    /** The file this storage writes, or ':memory:'. */
    readonly path: string,
    private readonly clock: () => Date,
    /** Opened with `readonly`: every write method throws. */
    readonly readonly: boolean,
  ) {
    this.q = prepareStatements(db);
  }

  /** Throws StorageError naming the file if it is missing (read-only), unreadable, not tune's, or read-only. */
  static open(file: string, options: SqliteStorageOptions = {}): SqliteStorage {
    const readonly = options.readonly ?? false;
    const db = openDatabase(file, { readonly, busyTimeoutMs: options.busyTimeoutMs ?? 5000 });
    return new SqliteStorage(db, file, options.now ?? (() => new Date()), readonly);
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
    return this.write('createTrial', () => {
      const now = this.now();
      const studyRow = this.q.studyById.get(study);
      if (!studyRow) throw new StorageError(`no study with id ${study}`);
      const number = this.q.nextNumber.get({ study_id: study })!.next;
      const chosen = atNumber(trial, number);
      if (chosen === null) throw new ConflictError(outsideWindow(studyRow.name, trial, number));
      const { seed, key } = chosen;
      const taken = key === undefined ? undefined : this.q.trialByKey.get({ study_id: study, claim_key: key });
      if (taken) {
        throw new ConflictError(
          `study "${studyRow.name}" already has a trial with key "${key}" (trial #${taken.number}, id ${taken.id})`,
        );
      }
      if (trial.resumeOf !== undefined && this.q.trialById.get(trial.resumeOf)?.study_id !== study) {
        throw new StorageError(`resumeOf: no trial with id ${trial.resumeOf} in study ${study}`);
      }
      const row = this.q.insertTrial.get({
        study_id: study, number, params: canonicalJson(chosen.params), budget: trial.budget, rung: trial.rung ?? null,
        bracket: trial.bracket ?? null, seed, resume_of: trial.resumeOf ?? null, claim_key: key ?? null, now,
      });
      if (!row) throw new StorageError(`trial for study ${study} was not inserted`);
      for (const [name, v] of Object.entries(chosen.params)) {
        this.q.insertParam.run({ trial_id: row.id, ...encodeParam(name, v) });
      }
      if (trial.claimBy !== undefined) {
        const claimed = this.q.claimTrial.get({ id: row.id, worker: trial.claimBy, lease_ms: trial.leaseMs ?? null, now });
        if (!claimed) throw new StorageError(`trial ${row.id} was not claimed`);
        return toTrialRecord(claimed);
      }
      this.q.touchStudy.run({ id: study, now });
      return toTrialRecord(row);
    });
  }

  async claimTrial(id: TrialId, worker: string, leaseMs?: number): Promise<boolean> {
    return this.claim('claimTrial', id, worker, leaseMs) !== null;
  }

  async acquireTrial(id: TrialId, worker: string, leaseMs?: number): Promise<TrialRecord | null> {
    return this.claim('acquireTrial', id, worker, leaseMs);
  }

  private claim(what: string, id: TrialId, worker: string, leaseMs: number | undefined): TrialRecord | null {
    checkLease(leaseMs);
    return this.write(what, () => {
      const row = this.q.claimTrial.get({ id, worker, lease_ms: leaseMs ?? null, now: this.now() });
      return row ? toTrialRecord(row) : null;
    });
  }

  async report(id: TrialId, epoch: number, metrics: Metrics, value: number, fence?: Fence): Promise<void> {
    checkReport(epoch, metrics, value);
    checkFence(fence);
    this.write('report', () => {
      const row = this.mustGetTrial(id);
      checkHolder(row, fence, `a report of epoch ${epoch}`);
      if (row.state !== 'running') {
        throw new StorageError(`trial ${id} is ${row.state}: only a running trial can report`);
      }
      this.upsertReports(id, epoch, metrics);
      const v = encodeNumber(value);
      this.q.advanceTrial.run({ id, epoch, value: v.value, value_kind: v.kind, now: this.now() });
    });
  }

  async finishTrial(id: TrialId, outcome: TrialOutcome, fence?: Fence): Promise<TrialRecord> {
    checkOutcome(outcome);
    checkFence(fence);
    return this.write('finishTrial', () => {
      const row = this.mustGetTrial(id);
      checkHolder(row, fence, `finishing as ${outcome.state}`);
      if (isFinishedState(row.state)) {
        throw new StorageError(`trial ${id} is already ${row.state} and can't change again (to ${outcome.state})`);
      }
      if (!canMove(row.state, outcome.state)) {
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
      checkPromotable(row, id, budget, rung);
      const now = this.now();
      const updated = this.q.promoteTrial.get({ id, budget, rung, now });
      if (!updated) throw new ConflictError(`trial ${id} changed while being promoted`);
      this.q.touchStudy.run({ id: row.study_id, now });
      return toTrialRecord(updated);
    });
  }

  async objectiveCurves(study: StudyId, metric: string): Promise<ReadonlyMap<TrialId, readonly number[]>> {
    return this.read('objectiveCurves', () => toCurves(this.q.objectiveReports.all({ study_id: study, metric })));
  }

  async requeueTrial(id: TrialId, options: RequeueOptions): Promise<TrialRecord> {
    checkRequeue(options);
    return this.write('requeueTrial', () => {
      const row = this.mustGetTrial(id);
      checkHolder(row, options.fence, 'a requeue');
      const now = this.now();
      const updated = this.q.requeueTrial.get({
        id, add_attempts: options.countAttempt ? 1 : 0,
        error_kind: options.error?.kind ?? null, error_message: options.error?.message ?? null, now,
      });
      if (!updated) {
        throw new ConflictError(`can't requeue trial ${id}: it is ${row.state}, and only a running trial can be requeued`);
      }
      this.q.touchStudy.run({ id: row.study_id, now });
      return toTrialRecord(updated);
    });
  }

  async heartbeat(ids: readonly TrialId[], worker: string): Promise<readonly TrialId[]> {
    checkTrialIds(ids);
    if (ids.length === 0) return [];
    return this.write('heartbeat', () => {
      const renewed = new Set(this.q.heartbeat.all({ ids: JSON.stringify(ids), worker, now: this.now() }).map((r) => r.id));
      return ids.filter((id) => renewed.has(id));
    });
  }

  async requeueExpired(study: StudyId): Promise<readonly TrialRecord[]> {
    return this.write('requeueExpired', () => {
      if (!this.q.studyById.get(study)) throw new StorageError(`no study with id ${study}`);
      const at = this.clock();
      const now = at.toISOString();
      const expired = this.q.leasedTrials.all(study).filter((t) => {
        const since = Date.parse(t.heartbeat_at ?? t.started_at ?? t.created_at);
        return Number.isNaN(since) || since + (t.lease_ms ?? Infinity) < at.getTime();
      });
      const requeued: TrialRecord[] = [];
      for (const t of expired) {
        const row = this.q.requeueTrial.get({ id: t.id, add_attempts: 0, error_kind: null, error_message: null, now });
        if (row) requeued.push(toTrialRecord(row));
      }
      if (requeued.length > 0) this.q.touchStudy.run({ id: study, now });
      return requeued;
    });
  }

  async setStudyDefinition(study: StudyId, definition: unknown): Promise<void> {
    // Plain JSON, not canonical: the space's key order is its param order, which a resumed run must keep.
    const json: string | undefined = JSON.stringify(definition);
    if (json === undefined) throw new StorageError('study definition cannot be stored as JSON');
    this.write('setStudyDefinition', () => {
      if (this.q.setDefinition.run({ id: study, definition: json, now: this.now() }).changes === 0) {
        throw new StorageError(`no study with id ${study}`);
      }
    });
  }

  async renameStudy(study: StudyId, name: string): Promise<void> {
    checkStudyName(name);
    this.write('renameStudy', () => {
      const row = this.q.studyById.get(study);
      if (!row) throw new StorageError(`no study with id ${study}`);
      if (row.name === name) return;
      if (this.q.studyByName.get(name)) {
        throw new StorageError(`can't rename study "${row.name}" to "${name}": a study named "${name}" already exists`);
      }
      this.q.renameStudy.run({ id: study, name, now: this.now() });
    });
  }

  async deleteStudy(study: StudyId): Promise<void> {
    this.write('deleteStudy', () => {
      if (!this.q.studyById.get(study)) throw new StorageError(`no study with id ${study}`);
      // Explicit rather than left to ON DELETE CASCADE, which depends on a connection's foreign_keys setting.
      this.q.deleteStudyReports.run(study);
      this.q.deleteStudyParams.run(study);
      this.q.deleteStudyTrials.run(study);
      this.q.deleteStudy.run(study);
    });
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
      const row = this.q.studyById.get(study);
      if (!row) throw new StorageError(`no study with id ${study}`);
      const { space, metric } = toStudyRecord(row);
      const rows = this.q.leaderboard.all({ study_id: study, limit: limit === Infinity ? -1 : limit, tie_metric: tieBreakMetric(metric), reduce: storedReduce(space) });
      return rows.map(({ rank, ...row }) => ({ rank, trial: toTrialRecord(row) }));
    });
  }

  async changesSince(study: StudyId, since: number): Promise<StudyChanges> {
    if (!(Number.isSafeInteger(since) && since >= 0)) {
      throw new StorageError(`changesSince: since must be an integer >= 0, got ${since}`);
    }
    return this.read('changesSince', () => {
      const row = this.q.studyById.get(study);
      if (!row) throw new StorageError(`no study with id ${study}`);
      const seq = this.q.studySeq.get(study)?.seq ?? 0;
      const args = { study_id: study, since };
      return {
        study: toStudyRecord(row),
        seq,
        trials: this.q.trialsChangedSince.all(args).map(toTrialRecord),
        reports: toEpochReports(this.q.reportsChangedSince.all(args)),
      };
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
    if (this.readonly) throw new StorageError(`${what}: the database ${this.path} was opened read-only`);
    return this.transact(what, fn, 'immediate');
  }

  /** Runs `fn` as one transaction; anything that isn't already a TuneError comes out as a StorageError. */
  private transact<T>(what: string, fn: () => T, mode: 'deferred' | 'immediate'): T {
    if (!this.db.open) throw new StorageError(`${what}: the database ${this.path} is closed`);
    try {
      return this.db.transaction(fn)[mode]();
    } catch (e) {
      if (e instanceof TuneError) throw e;
      throw fileFailure(this.path, e) ?? new StorageError(`${what} failed on ${this.path}: ${errorMessage(e)}`, { cause: e });
    }
  }
}
