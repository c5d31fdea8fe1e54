/**
 * The trial writes of `PostgresStorage` (storage.ts): creating, claiming, reporting, finishing, promoting and
 * requeueing trials, and heartbeats. Trial numbers and config keys are decided under a per-study advisory lock;
 * checks on a trial hold its row lock (SELECT … FOR UPDATE) until the write, so two tuners on two machines never
 * promote, claim or finish one trial twice. createTrial, claims, report and finishTrial are one round trip each
 * (functions.ts); promote, requeue and requeueExpired a transaction of a few statements.
 */
import type pg from 'pg';
import { ConflictError, StorageError } from '../../core/errors.js';
import { canMove, isFinishedState, TRIAL_STATES } from '../../core/trial-state.js';
import type { Metrics, Params, StudyId, TrialId, TrialOutcome, TrialRecord } from '../../core/types.js';
import { canonicalJson, encodeNumber, encodeParam, toEpochReports, toStudyRecord, toTrialRecord, type EncodedNumber, type ReportRow, type StudyRow, type TrialRow } from '../rows.js';
import { outsideWindow } from '../numbering.js';
import type { Fence, NewTrial, RequeueOptions, StudyChanges } from '../types.js';
import { checkFence, checkHolder, checkLease, checkNewTrial, checkOutcome, checkPromotable, checkPromotion, checkReport, checkRequeue, checkTrialIds } from '../validate.js';
import type { Idempotence, TransactionMode } from './connection.js';
import { CALL } from './functions.js';
import { all, one, SQL, STUDY_LOCK } from './queries.js';

type Client = pg.Client;

/** How storage.ts runs a write: the transaction mode, a name for messages, the work, and how a lost answer is told apart. */
export type RunWrite = <T>(
  mode: TransactionMode, what: string, fn: (c: Client, token: string | undefined) => Promise<T>, idem?: Idempotence<T>,
) => Promise<T>;

/** What a server-side function returns: its status, and the trial row (as it found it, where a check failed). */
type CallRow = TrialRow & { readonly status: string; readonly detail?: string | null };

/**
 * One of the per-trial calls (functions.ts `CALL`) as one autocommitted statement: one round trip, prepared once per
 * connection under its name, so the server doesn't parse and plan it again on every trial.
 */
async function called<R extends pg.QueryResultRow>(c: Client, name: keyof typeof CALL, args: unknown[]): Promise<R | undefined> {
  return (await c.query<R>({ name: `tune_${name}`, text: CALL[name], values: args })).rows[0];
}

async function mustGetTrial(c: Client, id: TrialId): Promise<TrialRow> {
  const row = await one<TrialRow>(c, SQL.trialForUpdate, [id]);
  if (!row) throw new StorageError(`no trial with id ${id}`);
  return row;
}

/**
 * The trial, row-locked, after its study's decision lock: every decider takes the advisory lock before any trial row
 * lock, so a finish and a requeueExpired of the same study never wait on each other in opposite orders.
 */
async function lockTrialForDecision(c: Client, id: TrialId): Promise<TrialRow> {
  const of = await one<{ study_id: number }>(c, SQL.studyOfTrial, [id]);
  if (!of) throw new StorageError(`no trial with id ${id}`);
  await c.query(SQL.lockStudy, [STUDY_LOCK, of.study_id]);
  return mustGetTrial(c, id);
}


/**
 * A config's canonical JSON. A frozen one (randomConfig's, offered again in window after window) can't change, so its
 * text is kept with it; its values are all primitives.
 */
const frozenJson = new WeakMap<Params, string>();
function paramsJson(params: Params): string {
  if (!Object.isFrozen(params)) return canonicalJson(params);
  let text = frozenJson.get(params);
  if (text === undefined) frozenJson.set(params, (text = canonicalJson(params)));
  return text;
}

/** Re-reads the trial a committed write returned (its id was the write's token result). */
const trialResult: Idempotence<TrialRecord> = {
  encode: (t) => String(t.id),
  decode: async (text, c) => toTrialRecord(await mustGetTrial(c, Number(text))),
};
const trialsResult: Idempotence<readonly TrialRecord[]> = {
  encode: (ts) => JSON.stringify(ts.map((t) => t.id)),
  decode: async (text, c) => Promise.all((JSON.parse(text) as number[]).map(async (id) => toTrialRecord(await mustGetTrial(c, id)))),
};
const claimResult: Idempotence<TrialRecord | null> = {
  encode: (t) => (t === null ? 'null' : String(t.id)),
  decode: async (text, c) => (text === 'null' ? null : toTrialRecord(await mustGetTrial(c, Number(text)))),
};

/** A finish's arguments after the trial id and before its write token, given the time of the call. */
function finishArgs(outcome: TrialOutcome, fence: Fence | undefined): (now: string) => unknown[] {
  checkOutcome(outcome);
  checkFence(fence);
  const from = TRIAL_STATES.filter((s) => !isFinishedState(s) && canMove(s, outcome.state));
  const metrics = outcome.metrics && outcome.epochs >= 1 ? Object.entries(outcome.metrics) : null;
  const encoded = metrics?.map(([, x]) => encodeNumber(x)) ?? null;
  const v: EncodedNumber | null = outcome.value === undefined ? null : encodeNumber(outcome.value);
  return (now) => [
    outcome.state, from, v !== null, v?.value ?? null, v?.kind ?? null, outcome.epochs,
    outcome.error?.kind ?? null, outcome.error?.message ?? null, outcome.checkpoint ?? null,
    outcome.state === 'paused' ? null : now, now,
    metrics?.map(([m]) => m) ?? null, encoded?.map((e) => e.value) ?? null, encoded?.map((e) => e.kind) ?? null,
    fence?.worker ?? null, fence?.claim ?? null,
  ];
}

/** The finished trial, or the error the finish function's status and the row it found say. */
function finishedOrThrow(row: CallRow | undefined, id: TrialId, outcome: TrialOutcome, fence: Fence | undefined): TrialRecord {
  if (row?.status === 'ok') return toTrialRecord(row);
  if (row?.status === 'no-trial' || !row) throw new StorageError(`no trial with id ${id}`);
  checkHolder(row, fence, `finishing as ${outcome.state}`);
  if (isFinishedState(row.state)) {
    throw new StorageError(`trial ${id} is already ${row.state} and can't change again (to ${outcome.state})`);
  }
  throw new StorageError(`trial ${id} is ${row.state}: it can't become ${outcome.state}`);
}

export interface FinishAndRead {
  readonly trial: TrialRecord;
  readonly changes: StudyChanges | null;
}

/** A row of `tune_finish_and_read`: its kind, and the trial's columns, or the report's (r_) or the study's (s_). */
type FinishReadRow = CallRow & {
  readonly kind: 'finish' | 'study' | 'trial' | 'report';
  readonly r_trial_id: number; readonly r_epoch: number; readonly r_metric: string;
  readonly r_value: number | null; readonly r_value_kind: ReportRow['value_kind'];
  readonly s_id: number; readonly s_name: string; readonly s_space: string; readonly s_direction: StudyRow['direction'];
  readonly s_metric: string; readonly s_strategy: string; readonly s_seed: number; readonly s_backend: string | null;
  readonly s_created_at: string; readonly s_updated_at: string; readonly s_definition: string | null; readonly s_seq: number | string;
};

const studyOf = (r: FinishReadRow): StudyRow => ({
  id: r.s_id, name: r.s_name, space: r.s_space, direction: r.s_direction, metric: r.s_metric, strategy: r.s_strategy,
  seed: r.s_seed, backend: r.s_backend, created_at: r.s_created_at, updated_at: r.s_updated_at, definition: r.s_definition,
});
const reportOf = (r: FinishReadRow): ReportRow => ({ trial_id: r.r_trial_id, epoch: r.r_epoch, metric: r.r_metric, value: r.r_value, value_kind: r.r_value_kind });

export class PgTrialWrites {
  constructor(
    private readonly run: RunWrite,
    private readonly now: () => string,
  ) {}

  /**
   * One server-side function (functions.ts): the lock, the next number and its window entry, the checks, the insert,
   * its params and the claim.
   */
  async createTrial(study: StudyId, trial: NewTrial): Promise<TrialRecord> {
    checkNewTrial(trial);
    const w = trial.numbers;
    const entries = w ? w.at.map((e) => ({ seed: e.seed, params: e.params ?? trial.params })) : [{ seed: trial.seed, params: trial.params }];
    const encoded = entries.flatMap((e, cand) => Object.entries(e.params).map(([name, v]) => ({ cand, ...encodeParam(name, v) })));
    return this.call('createTrial', async (c, token) => {
      const row = await called<CallRow>(c, 'createTrial', [
        study, trial.budget, trial.rung ?? null, trial.bracket ?? null, trial.resumeOf ?? null, trial.key ?? null, this.now(),
        w?.first ?? null, entries.map((e) => e.seed), entries.map((e) => paramsJson(e.params)), w?.keyByNumber ?? false,
        encoded.map((p) => p.cand), encoded.map((p) => p.name), encoded.map((p) => p.value_type),
        encoded.map((p) => p.value_num), encoded.map((p) => p.value_text), trial.claimBy ?? null, trial.leaseMs ?? null, token ?? null,
      ]);
      switch (row?.status) {
        case 'ok':
          return toTrialRecord(row);
        case 'no-study':
          throw new StorageError(`no study with id ${study}`);
        case 'window': {
          const at = JSON.parse(row.detail ?? '{}') as { name: string; number: number };
          throw new ConflictError(outsideWindow(at.name, trial, at.number));
        }
        case 'key-taken': {
          const taken = JSON.parse(row.detail ?? '{}') as { name: string; id: number; number: number; key: string };
          throw new ConflictError(
            `study "${taken.name}" already has a trial with key "${taken.key}" (trial #${taken.number}, id ${taken.id})`,
          );
        }
        case 'bad-resume':
          throw new StorageError(`resumeOf: no trial with id ${trial.resumeOf} in study ${study}`);
        default:
          throw new StorageError(`trial for study ${study} was not inserted (${row?.status ?? 'no answer'})`);
      }
    }, trialResult);
  }

  /** One UPDATE … WHERE state IN (waiting, paused) RETURNING: of two tuners claiming at once, one gets the row. */
  async claim(what: string, id: TrialId, worker: string, leaseMs: number | undefined): Promise<TrialRecord | null> {
    checkLease(leaseMs);
    return this.call(what, async (c, token) => {
      const row = await called<TrialRow>(c, 'claimTrial', [id, worker, this.now(), leaseMs ?? null, token]);
      return row ? toTrialRecord(row) : null;
    }, claimResult);
  }

  async report(id: TrialId, epoch: number, metrics: Metrics, value: number, fence?: Fence): Promise<void> {
    checkReport(epoch, metrics, value);
    checkFence(fence);
    const entries = Object.entries(metrics);
    const encoded = entries.map(([, x]) => encodeNumber(x));
    const v = encodeNumber(value);
    // One statement, its own transaction: an upsert, so running it twice (a retry after a lost answer) leaves the same rows.
    await this.writeOne('report', async (c) => {
      const row = await called<CallRow>(c, 'report', [
        id, epoch, entries.map(([m]) => m), encoded.map((e) => e.value), encoded.map((e) => e.kind), v.value, v.kind, this.now(),
        fence?.worker ?? null, fence?.claim ?? null,
      ]);
      if (row?.status === 'ok') return;
      if (row?.status === 'no-trial' || !row) throw new StorageError(`no trial with id ${id}`);
      // The function found the trial unfit and wrote nothing: the same checks, on the row it found, say why.
      checkHolder(row, fence, `a report of epoch ${epoch}`);
      throw new StorageError(`trial ${id} is ${row.state}: only a running trial can report`);
    });
  }

  async finishTrial(id: TrialId, outcome: TrialOutcome, fence?: Fence): Promise<TrialRecord> {
    const args = finishArgs(outcome, fence);
    return this.call('finishTrial', async (c, token) => {
      return finishedOrThrow(await called<CallRow>(c, 'finishTrial', [id, ...args(this.now()), token ?? null]), id, outcome, fence);
    }, trialResult);
  }

  /** finishTrial and the study's changes since `since`, in one round trip (lean-writes.ts `tune_finish_and_read`). */
  async finishAndRead(id: TrialId, outcome: TrialOutcome, fence: Fence | undefined, since: number): Promise<FinishAndRead> {
    if (!(Number.isSafeInteger(since) && since >= 0)) throw new StorageError(`finishAndRead: since must be an integer >= 0, got ${since}`);
    const args = finishArgs(outcome, fence);
    return this.call<FinishAndRead>('finishTrial', async (c, token) => {
      const rows = (await c.query<FinishReadRow>({ name: 'tune_finishAndRead', text: CALL.finishAndRead, values: [id, ...args(this.now()), token ?? null, since] })).rows;
      const trial = finishedOrThrow(rows[0], id, outcome, fence);
      const study = rows.find((r) => r.kind === 'study');
      // The finish committed with the statement: without its study row (it can't be missing: the trial refers to
      // it), the caller reads the changes itself.
      if (!study) return { trial, changes: null };
      return {
        trial,
        changes: {
          study: toStudyRecord(studyOf(study)),
          seq: Number(study.s_seq),
          trials: rows.filter((r) => r.kind === 'trial').map(toTrialRecord),
          reports: toEpochReports(rows.filter((r) => r.kind === 'report').map(reportOf)),
        },
      };
    }, { encode: (r) => String(r.trial.id), decode: async (text, c) => ({ trial: await trialResult.decode(text, c), changes: null }) });
  }

  async promoteTrial(id: TrialId, budget: number, rung: number): Promise<TrialRecord> {
    checkPromotion(budget, rung);
    return this.write('promoteTrial', async (c) => {
      const row = await lockTrialForDecision(c, id);
      checkPromotable(row, id, budget, rung);
      const now = this.now();
      const updated = await one<TrialRow>(c, SQL.promoteTrial, [id, budget, rung, now]);
      if (!updated) throw new ConflictError(`trial ${id} changed while being promoted`);
      await c.query(SQL.touchStudy, [row.study_id, now]);
      return toTrialRecord(updated);
    }, trialResult);
  }

  async requeueTrial(id: TrialId, options: RequeueOptions): Promise<TrialRecord> {
    checkRequeue(options);
    return this.write('requeueTrial', async (c) => {
      const row = await lockTrialForDecision(c, id);
      checkHolder(row, options.fence, 'a requeue');
      const now = this.now();
      const updated = await one<TrialRow>(c, SQL.requeueTrial, [
        id, options.countAttempt ? 1 : 0, options.error?.kind ?? null, options.error?.message ?? null,
      ]);
      if (!updated) throw new ConflictError(`can't requeue trial ${id}: it is ${row.state}, and only a running trial can be requeued`);
      await c.query(SQL.touchStudy, [row.study_id, now]);
      return toTrialRecord(updated);
    }, trialResult);
  }

  async heartbeat(ids: readonly TrialId[], worker: string): Promise<readonly TrialId[]> {
    checkTrialIds(ids);
    if (ids.length === 0) return [];
    // Idempotent: a retried heartbeat renews the same trials again.
    return this.writeOne('heartbeat', async (c) => {
      const renewed = new Set((await all<{ id: number }>(c, SQL.heartbeat, [ids, worker, this.now()])).map((r) => r.id));
      return ids.filter((id) => renewed.has(id));
    });
  }

  /** Expiry is the server's clock (`lease_until`), so tuners whose clocks disagree agree on it. */
  async requeueExpired(study: StudyId): Promise<readonly TrialRecord[]> {
    return this.write('requeueExpired', async (c) => {
      await c.query(SQL.lockStudy, [STUDY_LOCK, study]);
      if (!(await one<StudyRow>(c, SQL.studyById, [study]))) throw new StorageError(`no study with id ${study}`);
      const rows = await all<TrialRow>(c, SQL.requeueExpired, [study]);
      if (rows.length > 0) await c.query(SQL.touchStudy, [study, this.now()]);
      return rows.map(toTrialRecord).sort((a, b) => a.number - b.number);
    }, trialsResult);
  }

  private write<T>(what: string, fn: (c: Client) => Promise<T>, idem?: Idempotence<T>): Promise<T> {
    return this.run('write', what, fn, idem);
  }

  /** A write of one idempotent statement, its own transaction: one round trip. */
  private writeOne<T>(what: string, fn: (c: Client) => Promise<T>): Promise<T> {
    return this.run('one-write', what, fn);
  }

  /** One autocommitted statement that also records the write token it is given: one round trip. */
  private call<T>(what: string, fn: (c: Client, token: string | undefined) => Promise<T>, idem: Idempotence<T>): Promise<T> {
    return this.run('call', what, fn, idem);
  }
}
