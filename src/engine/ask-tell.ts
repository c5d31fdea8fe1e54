/**
 * The ask-and-tell API (as Optuna's): your code asks for a trial, evaluates it however it likes, reports
 * intermediate values and tells the result. Same storage and strategies as `tune --space`, so `tune top`,
 * `tune export` and a later sweep of the same study see these trials. One process at a time per study.
 *
 * As in Optuna, an asked trial is running with no lease (Optuna heartbeats only with `heartbeat_interval`): your
 * code may take as long as it likes between ask and tell. Its reports and its tell are fenced by the claim, though:
 * once another process took the trial over (it was requeued as interrupted, then asked again) or finished it, they
 * are refused with LeaseLostError and change nothing, where Optuna would refuse only a finished trial.
 */
import { TuneError, type ErrorCode } from '../core/errors.js';
import type { Decision, Direction, Metrics, Params, StudyRecord, TrialId, TrialOutcome, TrialRecord } from '../core/types.js';
import { loadSpace } from '../space/index.js';
import { objectiveReduce, type SearchSpace } from '../space/types.js';
import { openStorage } from '../storage/index.js';
import type { Storage } from '../storage/types.js';
import { createStrategy, defaultTrialCount } from '../strategies/index.js';
import type { Strategy } from '../strategies/types.js';
import { claimForRun, fenceOf, pruneTrial, recordReport, reducedOutcome, refreshBook, refreshOnConflict, storeSuggested, type DispatchScope } from './dispatch.js';
import { ownerId } from './owner.js';
import { recoverInterrupted } from './recovery.js';
import { DEFAULT_STORAGE, openStudyFor, withOverrides } from './run-sweep.js';
import { enqueueFromSpace } from './enqueue.js';
import { TrialBook } from './trial-book.js';

/** Options of {@link openStudy}. Every one is optional. */
export interface OpenStudyOptions {
  /** SQLite file; default `results/tune.db`. */
  readonly storage?: string;
  /** Overrides the strategy's trial count (stored trials included). */
  readonly trials?: number;
  /** Overrides the space's seed. */
  readonly seed?: number;
}

/** One asked trial: evaluate `params`, report steps up to `budget`, then tell the result. */
export interface TrialHandle {
  /** The trial's id in storage; `report` and `tell` take it in place of the handle. */
  readonly id: TrialId;
  /** 0-based number within the study, as `tune top` and `tune show --trial N` show it. */
  readonly number: number;
  /** The config to evaluate, under the space file's param names. */
  readonly params: Params;
  /** The trial's own seed, derived from the study seed and its number: seed your randomness with it. */
  readonly seed: number;
  /** Steps (epochs) to reach: the strategy's budget for this trial. */
  readonly budget: number;
  /** Steps already done: > 0 when a multi-fidelity strategy promotes a paused trial; continue at startStep + 1. */
  readonly startStep: number;
  /** Its rung in a multi-fidelity strategy (0 for the first), or null. */
  readonly rung: number | null;
}

/** A value (the trial completes, or ends as the last report's decision said), or an explicit end. */
export type TellResult =
  | number
  | {
      /** The trial's value under the study's metric. */
      readonly value: number;
      /** Other numbers to store with the final step. */
      readonly metrics?: Metrics;
    }
  | {
      /** Stopped early by your own rule. */
      readonly state: 'pruned';
      /** The value it reached, if any. */
      readonly value?: number;
    }
  | {
      /** The evaluation failed; the trial is stored as failed (kind `exception`). */
      readonly state: 'failed';
      /** Why, stored as the failure's message. */
      readonly error?: string;
    };

/** An open study for ask and tell, from {@link openStudy}. Close it when done. */
export interface Study {
  /** The stored study. */
  readonly record: StudyRecord;
  /** The normalised space it was opened with. */
  readonly space: SearchSpace;
  /** The study's name (the space file's `name`). */
  readonly name: string;
  /** The objective's metric, e.g. `val_accuracy`. */
  readonly metric: string;
  /** Whether higher (`maximize`) or lower (`minimize`) values are better. */
  readonly direction: Direction;
  /** The next trial, stored as running. Throws AskError ('done': no more; 'wait': tell running trials first). */
  ask(): Promise<TrialHandle>;
  /** Stores the value after `step` (and any metrics) and returns the strategy's decision. */
  report(trial: TrialHandle | TrialId, step: number, value: number, metrics?: Metrics): Promise<Decision>;
  /** Whether the trial's last report was answered 'stop'. */
  shouldPrune(trial: TrialHandle | TrialId): boolean;
  /** Stores the trial's result and ends it; returns the stored trial. */
  tell(trial: TrialHandle | TrialId, result: TellResult): Promise<TrialRecord>;
  /** The best complete trial, as `runSweep` ranks it. */
  best(): Promise<TrialRecord | null>;
  /** Every stored trial of the study, in number order. */
  trials(): Promise<readonly TrialRecord[]>;
  /** Closes the database. */
  close(): Promise<void>;
}

/** ask() with nothing to hand out: the strategy is `done`, or must `wait` for running trials to be told first. */
export class AskError extends TuneError {
  static override readonly defaultCode: ErrorCode = 'ask';
  constructor(
    readonly reason: 'done' | 'wait',
    message: string,
  ) {
    super(message);
  }
}

const idOf = (trial: TrialHandle | TrialId): TrialId => (typeof trial === 'number' ? trial : trial.id);

class AskTellStudy implements Study {
  private readonly decisions = new Map<TrialId, Decision>();
  /** Trials that reported since they were asked; a tell() without reports stores its value at the budget. */
  private readonly reported = new Set<TrialId>();
  private readonly owner = ownerId();
  private closed = false;
  private readonly scope: DispatchScope;

  constructor(
    readonly space: SearchSpace,
    readonly record: StudyRecord,
    private readonly storage: Storage,
    private readonly strategy: Strategy,
    private readonly book: TrialBook,
    private readonly maxTrials: number,
  ) {
    this.scope = { space, study: record, storage, strategy, book };
  }

  get name(): string {
    return this.record.name;
  }
  get metric(): string {
    return this.record.metric;
  }
  get direction(): Direction {
    return this.record.direction;
  }

  private fail(message: string): never {
    throw new TuneError(`study "${this.name}": ${message}`);
  }

  private running(trial: TrialHandle | TrialId): TrialRecord {
    if (this.closed) this.fail('the study is closed');
    const t = this.book.get(idOf(trial));
    if (t === undefined) return this.fail(`no trial with id ${idOf(trial)}`);
    if (t.state !== 'running') return this.fail(`trial #${t.number} is ${t.state}, not running: only an asked trial can be reported or told`);
    return t;
  }

  /** Claims a stored trial for this process; false if another got it first. */
  private async claim(trial: TrialRecord): Promise<TrialHandle | null> {
    const t = await claimForRun(this.scope, trial, this.owner);
    if (t === null) return null;
    this.decisions.delete(t.id);
    this.reported.delete(t.id);
    return { id: t.id, number: t.number, params: t.params, seed: t.seed, budget: t.budget, startStep: t.epochs, rung: t.rung };
  }

  async ask(): Promise<TrialHandle> {
    if (this.closed) this.fail('the study is closed');
    for (;;) {
      // Trials queued but never run (or paused midway by a stopped sweep) go first, as in a sweep.
      const queued = this.book.resumable()[0];
      try {
        if (queued !== undefined) {
          const handle = await this.claim(queued);
          if (handle !== null) return handle;
          await refreshBook(this.scope);
          continue;
        }
        const s = this.strategy.ask(this.book.context());
        if (s.kind === 'prune') {
          await pruneTrial(this.scope, s.trialId);
          continue;
        }
        if (s.kind === 'wait') {
          const n = this.book.all().filter((t) => t.state === 'running').length;
          throw new AskError('wait', `study "${this.name}": the ${this.strategy.name} strategy waits for ${n} running trial(s) to be told before it proposes more`);
        }
        if (s.kind === 'done') {
          throw new AskError('done', `study "${this.name}": the ${this.strategy.name} strategy has proposed all its trials (${this.maxTrials}); raise the trial count to ask for more`);
        }
        // Created unclaimed, then claimed as a queued trial is: one path for both.
        const handle = await this.claim(await storeSuggested(this.scope, s));
        if (handle !== null) return handle;
        await refreshBook(this.scope);
      } catch (e) {
        await refreshOnConflict(e, this.scope); // another process changed the study: look again
      }
    }
  }

  async report(trial: TrialHandle | TrialId, step: number, value: number, metrics: Metrics = {}): Promise<Decision> {
    const t = this.running(trial);
    const last = this.decisions.get(t.id);
    if (last === 'stop' || last === 'pause') this.fail(`trial #${t.number} was told to ${last} at step ${t.epochs}: tell() its result instead of reporting more`);
    if (!Number.isInteger(step) || step <= t.epochs) this.fail(`trial #${t.number}: step must be an integer after ${t.epochs}, got ${step}`);
    if (typeof value !== 'number') this.fail(`trial #${t.number}: the reported value must be a number, got ${typeof value}`);
    const { decision } = await recordReport(this.scope, t, step, { ...metrics, [this.metric]: value }, value, fenceOf(t, this.owner));
    this.reported.add(t.id);
    this.decisions.set(t.id, decision);
    return decision;
  }

  shouldPrune(trial: TrialHandle | TrialId): boolean {
    return this.decisions.get(idOf(trial)) === 'stop';
  }

  private async outcome(t: TrialRecord, result: TellResult): Promise<TrialOutcome> {
    if (typeof result === 'object' && 'state' in result) {
      if (result.state === 'failed') return { state: 'failed', epochs: t.epochs, error: { kind: 'exception', message: result.error ?? 'failed (told so)' } };
      return { state: 'pruned', epochs: t.epochs, ...(result.value !== undefined ? { value: result.value } : {}) };
    }
    const { value, metrics } = typeof result === 'number' ? { value: result, metrics: undefined } : result;
    if (typeof value !== 'number') this.fail(`trial #${t.number}: tell() needs a number, { value }, or { state: 'pruned' | 'failed' }`);
    // Nothing reported: the value stands for the whole budget, so strategies that rank by step can use it.
    if (!this.reported.has(t.id) && t.epochs < t.budget) await this.report(t.id, t.budget, value, metrics);
    const decision = this.decisions.get(t.id);
    const epochs = this.book.get(t.id)?.epochs ?? t.epochs;
    return { state: decision === 'stop' ? 'pruned' : decision === 'pause' ? 'paused' : 'complete', epochs, value };
  }

  async tell(trial: TrialHandle | TrialId, result: TellResult): Promise<TrialRecord> {
    const t = this.running(trial);
    const o = reducedOutcome(this.scope, t.id, await this.outcome(t, result));
    const finished = this.book.set(await this.storage.finishTrial(t.id, o, fenceOf(t, this.owner)));
    this.decisions.delete(t.id);
    this.reported.delete(t.id);
    this.strategy.tell(this.book.context(), finished);
    return finished;
  }

  async best(): Promise<TrialRecord | null> {
    return this.book.best();
  }

  async trials(): Promise<readonly TrialRecord[]> {
    return this.storage.trials(this.record.id);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.storage.close();
  }
}

/**
 * Opens (or creates) the study a space describes, for ask and tell. A space file given by path needs no task
 * data: your code evaluates the trials, so params and the metric may have any names.
 */
export async function openStudy(spaceOrPath: SearchSpace | string, options: OpenStudyOptions = {}): Promise<Study> {
  const loaded = typeof spaceOrPath === 'string' ? loadSpace(spaceOrPath, { checkFiles: false, askTell: true }) : spaceOrPath;
  const space = withOverrides(loaded, options);
  const storage = openStorage(options.storage ?? DEFAULT_STORAGE);
  try {
    const record = await openStudyFor(storage, space);
    await recoverInterrupted(storage, record, 'requeue'); // trials of a process that died are asked again
    const maxTrials = options.trials ?? defaultTrialCount(space);
    const book = new TrialBook(await storage.trials(record.id), await storage.objectiveCurves(record.id, record.metric), record.direction, maxTrials, objectiveReduce(space));
    const strategy = createStrategy(space);
    await enqueueFromSpace({ space, study: record, storage, strategy, book }, maxTrials); // asked first, as queued trials are
    return new AskTellStudy(space, record, storage, strategy, book, maxTrials);
  } catch (e) {
    await storage.close();
    throw e;
  }
}
