/**
 * `Storage` on a PostgreSQL server, with the same behaviour as `SqliteStorage` (the contract suites run on both).
 * Each method is one transaction on the process's one connection (connection.ts). Trial numbers and config keys
 * are decided under a per-study advisory lock; checks on a trial hold its row lock (SELECT … FOR UPDATE) until
 * the write, so two tuners on two machines never promote, claim or finish one trial twice.
 * The calls a tuner makes per trial are one round trip each (issue 13 §8): createTrial, claims and finishTrial are
 * one autocommitted statement (a server-side function, or a statement) that also records the write token, so the
 * study's advisory lock is taken and released inside the server; report and heartbeat one statement; changesSince
 * one message (functions.ts).
 */
import type pg from 'pg';
import { ConflictError, StorageError } from '../../core/errors.js';
import { storedReduce, tieBreakMetric } from '../../core/objective.js';
import { canMove, isFinishedState, TRIAL_STATES } from '../../core/trial-state.js';
import type {
  EpochReport, Metrics, RankedTrial, StudyId, StudyRecord, StudySpec, TrialId, TrialOutcome, TrialRecord,
  TrialState,
} from '../../core/types.js';
import {
  canonicalJson, encodeNumber, encodeParam, toCurves, toEpochReports, toStudyRecord, toTrialRecord, zeroCounts,
  type CurvePointRow, type EncodedNumber, type RankedTrialRow, type ReportRow, type StudyRow, type TrialRow,
} from '../rows.js';
import type { CheckpointBlobs, Fence, NewTrial, OpenOptions, RequeueOptions, Storage, StudyChanges, StudySummary, TrialFilter } from '../types.js';
import {
  checkFence, checkHolder, checkLease, checkNewTrial, checkOutcome, checkPromotable, checkPromotion, checkReport, checkRequeue, checkSameStudy,
  checkStudyName, checkStudySpec, checkTrialIds,
} from '../validate.js';
import { outsideWindow } from '../numbering.js';
import { PgCheckpointBlobs } from './checkpoints.js';
import { PgConnection, type Idempotence, type TransactionMode } from './connection.js';
import { CALL, changesSinceBatch } from './functions.js';
import { checkPgCurrent, checkPgServerVersion, pgMigrate, pgSchemaVersion, PG_LATEST_VERSION } from './migrations.js';
import { all, one, SQL } from './queries.js';
import { PgTrialWrites, type FinishAndRead } from './trial-writes.js';
import { parsePostgresUrl, type PostgresTarget } from './url.js';

export interface PostgresStorageOptions extends OpenOptions {
  /** Clock for timestamps; injectable so tests can pin them. */
  readonly now?: () => Date;
  /** One connection attempt's limit (ms); default 5000. */
  readonly connectTimeoutMs?: number;
  /** How long to keep reconnecting after the connection broke (ms); default 120 000. */
  readonly reconnectForMs?: number;
  /** Told about each reconnection attempt. */
  readonly onReconnect?: (attempt: number, error: string) => void;
}

type Client = pg.Client;

export class PostgresStorage implements Storage {
  private readonly conn: PgConnection;
  private readonly trialWrites: PgTrialWrites;

  private constructor(
    private readonly target: PostgresTarget,
    private readonly clock: () => Date,
    /** Opened with `readonly`: every write method throws, and the server refuses writes too. */
    readonly readonly: boolean,
    options: PostgresStorageOptions,
  ) {
    this.conn = new PgConnection(target, {
      connectTimeoutMs: options.connectTimeoutMs ?? target.connectTimeoutMs ?? 5000,
      reconnectForMs: options.reconnectForMs ?? 120_000,
      readonly,
      onFirstConnect: (c) => this.firstConnect(c),
      ...(options.onReconnect ? { onReconnect: options.onReconnect } : {}),
    });
    this.trialWrites = new PgTrialWrites((mode, what, fn, idem) => this.writeAs(mode, what, fn, idem), () => this.now());
  }

  /**
   * Parses the URL (a malformed one throws UsageError) without connecting: the connection opens on the first call,
   * which throws PostgresConnectError (exit 2) naming the host if the server can't be used.
   */
  static open(url: string, options: PostgresStorageOptions = {}): PostgresStorage {
    return new PostgresStorage(parsePostgresUrl(url), options.now ?? (() => new Date()), options.readonly ?? false, options);
  }

  /** The URL without its password. */
  get display(): string {
    return this.target.display;
  }

  /** Connects now (and migrates, or checks the schema), rather than on the first call. */
  async connect(): Promise<void> {
    await this.conn.transaction('connect', 'read', async () => undefined);
  }

  /** Transactions run again after a lost connection, since open. */
  get reconnections(): number {
    return this.conn.reconnections;
  }

  private async firstConnect(c: Client): Promise<void> {
    checkPgServerVersion(this.target.display, Number((await c.query<{ v: string }>('SELECT current_setting(\'server_version_num\') AS v')).rows[0]?.v));
    if (this.readonly) {
      checkPgCurrent(this.target.display, await pgSchemaVersion(c, this.target.display));
      return;
    }
    await pgMigrate(c, this.target.display);
    await c.query(SQL.dropOldTokens);
  }

  async openStudy(spec: StudySpec): Promise<StudyRecord> {
    checkStudySpec(spec);
    const space = canonicalJson(spec.space);
    return this.write('openStudy', async (c) => {
      const inserted = await one<StudyRow>(c, SQL.insertStudy, [
        spec.name, space, spec.direction, spec.metric, spec.strategy, spec.seed, this.now(),
      ]);
      if (inserted) return toStudyRecord(inserted);
      const row = await one<StudyRow>(c, SQL.studyByName, [spec.name]);
      if (!row) throw new ConflictError(`study "${spec.name}" was deleted while being opened`);
      checkSameStudy(row, spec, space);
      return toStudyRecord(row);
    });
  }

  async getStudy(name: string): Promise<StudyRecord | null> {
    return this.readOne('getStudy', async (c) => {
      const row = await one<StudyRow>(c, SQL.studyByName, [name]);
      return row ? toStudyRecord(row) : null;
    });
  }

  async studies(): Promise<readonly StudySummary[]> {
    return this.read('studies', async (c) => {
      const counts = new Map<number, Record<TrialState, number>>();
      for (const r of await all<{ study_id: number; state: TrialState; n: number }>(c, SQL.stateCounts)) {
        let perState = counts.get(r.study_id);
        if (!perState) counts.set(r.study_id, (perState = zeroCounts()));
        perState[r.state] = r.n;
      }
      const best = new Map((await all<{ study_id: number; best: number | null }>(c, SQL.bestValues)).map((b) => [b.study_id, b.best]));
      return (await all<StudyRow>(c, SQL.allStudies)).map((row) => ({
        study: toStudyRecord(row),
        counts: counts.get(row.id) ?? zeroCounts(),
        best: best.get(row.id) ?? null,
      }));
    });
  }

  async setStudyBackend(study: StudyId, backend: string): Promise<void> {
    await this.write('setStudyBackend', async (c) => {
      if ((await c.query(SQL.setBackend, [study, backend, this.now()])).rowCount === 0) {
        throw new StorageError(`no study with id ${study}`);
      }
    });
  }

  createTrial(study: StudyId, trial: NewTrial): Promise<TrialRecord> {
    return this.trialWrites.createTrial(study, trial);
  }

  async claimTrial(id: TrialId, worker: string, leaseMs?: number): Promise<boolean> {
    return (await this.trialWrites.claim('claimTrial', id, worker, leaseMs)) !== null;
  }

  acquireTrial(id: TrialId, worker: string, leaseMs?: number): Promise<TrialRecord | null> {
    return this.trialWrites.claim('acquireTrial', id, worker, leaseMs);
  }

  report(id: TrialId, epoch: number, metrics: Metrics, value: number, fence?: Fence): Promise<void> {
    return this.trialWrites.report(id, epoch, metrics, value, fence);
  }

  finishTrial(id: TrialId, outcome: TrialOutcome, fence?: Fence): Promise<TrialRecord> {
    return this.trialWrites.finishTrial(id, outcome, fence);
  }

  finishAndRead(id: TrialId, outcome: TrialOutcome, fence: Fence | undefined, since: number): Promise<FinishAndRead> {
    return this.trialWrites.finishAndRead(id, outcome, fence, since);
  }

  promoteTrial(id: TrialId, budget: number, rung: number): Promise<TrialRecord> {
    return this.trialWrites.promoteTrial(id, budget, rung);
  }

  requeueTrial(id: TrialId, options: RequeueOptions): Promise<TrialRecord> {
    return this.trialWrites.requeueTrial(id, options);
  }

  heartbeat(ids: readonly TrialId[], worker: string): Promise<readonly TrialId[]> {
    return this.trialWrites.heartbeat(ids, worker);
  }

  requeueExpired(study: StudyId): Promise<readonly TrialRecord[]> {
    return this.trialWrites.requeueExpired(study);
  }

  async objectiveCurves(study: StudyId, metric: string): Promise<ReadonlyMap<TrialId, readonly number[]>> {
    return this.readOne('objectiveCurves', async (c) => toCurves(await all<CurvePointRow>(c, SQL.objectiveReports, [study, metric])));
  }

  async setStudyDefinition(study: StudyId, definition: unknown): Promise<void> {
    // Plain JSON, not canonical: the space's key order is its param order, which a resumed run must keep.
    const json: string | undefined = JSON.stringify(definition);
    if (json === undefined) throw new StorageError('study definition cannot be stored as JSON');
    await this.write('setStudyDefinition', async (c) => {
      if ((await c.query(SQL.setDefinition, [study, json, this.now()])).rowCount === 0) throw new StorageError(`no study with id ${study}`);
    });
  }

  async renameStudy(study: StudyId, name: string): Promise<void> {
    checkStudyName(name);
    await this.write('renameStudy', async (c) => {
      const row = await one<StudyRow>(c, SQL.studyForUpdate, [study]);
      if (!row) throw new StorageError(`no study with id ${study}`);
      if (row.name === name) return;
      if (await one<StudyRow>(c, SQL.studyByName, [name])) {
        throw new StorageError(`can't rename study "${row.name}" to "${name}": a study named "${name}" already exists`);
      }
      await c.query(SQL.renameStudy, [study, name, this.now()]);
    });
  }

  async deleteStudy(study: StudyId): Promise<void> {
    await this.write('deleteStudy', async (c) => {
      if (!(await one<StudyRow>(c, SQL.studyForUpdate, [study]))) throw new StorageError(`no study with id ${study}`);
      for (const sql of [SQL.deleteStudyReports, SQL.deleteStudyParams, SQL.deleteStudyTrials, SQL.deleteStudy]) {
        await c.query(sql, [study]);
      }
    });
  }

  async trial(id: TrialId): Promise<TrialRecord | null> {
    return this.readOne('trial', async (c) => {
      const row = await one<TrialRow>(c, SQL.trialById, [id]);
      return row ? toTrialRecord(row) : null;
    });
  }

  async trials(study: StudyId, filter?: TrialFilter): Promise<readonly TrialRecord[]> {
    const states = filter?.states ? [...filter.states] : null;
    return this.readOne('trials', async (c) => (await all<TrialRow>(c, SQL.trialsOf, [study, states])).map(toTrialRecord));
  }

  async reports(id: TrialId): Promise<readonly EpochReport[]> {
    return this.readOne('reports', async (c) => toEpochReports(await all<ReportRow>(c, SQL.reportsOf, [id])));
  }

  /** `limit` may be `Infinity` for every trial. */
  async leaderboard(study: StudyId, limit: number): Promise<readonly RankedTrial[]> {
    if (!(limit === Infinity || (Number.isSafeInteger(limit) && limit >= 0))) {
      throw new StorageError(`leaderboard limit must be an integer >= 0 or Infinity, got ${limit}`);
    }
    return this.read('leaderboard', async (c) => {
      const row = await one<StudyRow>(c, SQL.studyById, [study]);
      if (!row) throw new StorageError(`no study with id ${study}`);
      const { space, metric } = toStudyRecord(row);
      const rows = await all<RankedTrialRow>(c, SQL.leaderboard, [study, limit === Infinity ? null : limit, tieBreakMetric(metric), storedReduce(space)]);
      return rows.map(({ rank, ...row }) => ({ rank, trial: toTrialRecord(row) }));
    });
  }

  async changesSince(study: StudyId, since: number): Promise<StudyChanges> {
    if (!(Number.isSafeInteger(since) && since >= 0)) {
      throw new StorageError(`changesSince: since must be an integer >= 0, got ${since}`);
    }
    // One REPEATABLE READ snapshot, sent as one message (one round trip): the seq and the rows agree.
    return this.readOne('changesSince', async (c) => {
      // One result per statement: BEGIN, the three SELECTs, COMMIT.
      const [, studyRes, trialsRes, reportsRes] = (await c.query(changesSinceBatch(study, since))) as unknown as pg.QueryResult[];
      const row = studyRes?.rows[0] as (StudyRow & { readonly seq: number }) | undefined;
      if (!row) throw new StorageError(`no study with id ${study}`);
      return {
        study: toStudyRecord(row),
        seq: row.seq,
        trials: (trialsRes!.rows as TrialRow[]).map(toTrialRecord),
        reports: toEpochReports(reportsRes!.rows as ReportRow[]),
      };
    });
  }

  /** Checkpoints as bytea chunks in this database, on this storage's one connection (checkpoints.ts); `chunkBytes` for tests. */
  checkpointBlobs(chunkBytes?: number): CheckpointBlobs {
    return new PgCheckpointBlobs(this.conn, () => this.now(), this.readonly, chunkBytes);
  }

  /** The schema version, for `tune doctor` and tests. */
  async schemaVersion(): Promise<number> {
    return this.read('schemaVersion', (c) => pgSchemaVersion(c, this.target.display));
  }

  /** The version this tune writes. */
  static readonly latestVersion = PG_LATEST_VERSION;

  async close(): Promise<void> {
    await this.conn.close();
  }

  private now(): string {
    return this.clock().toISOString();
  }

  private read<T>(what: string, fn: (c: Client) => Promise<T>): Promise<T> {
    return this.conn.transaction(what, 'read', fn);
  }

  /** A read of one statement: no BEGIN/COMMIT round trips (the statement is its own snapshot). */
  private readOne<T>(what: string, fn: (c: Client) => Promise<T>): Promise<T> {
    return this.conn.transaction(what, 'one-read', fn);
  }

  private write<T>(what: string, fn: (c: Client) => Promise<T>, idem?: Idempotence<T>): Promise<T> {
    return this.writeAs('write', what, fn, idem);
  }

  private writeAs<T>(
    mode: TransactionMode, what: string, fn: (c: Client, token: string | undefined) => Promise<T>, idem?: Idempotence<T>,
  ): Promise<T> {
    if (this.readonly) return Promise.reject(new StorageError(`${what}: the database ${this.target.display} was opened read-only`));
    return this.conn.transaction(what, mode, fn, idem);
  }
}
