/**
 * The dispatch rules both tuner loops share: the sweep (`sweep.ts`, trials run by a TrialRunner) and ask-and-tell
 * (`ask-tell.ts`, trials run by the caller). Each rule is written here once, so the two loops can't drift apart.
 */
import { ConflictError } from '../core/errors.js';
import { isBetter } from '../core/objective.js';
import { studyStreams } from '../core/rng-streams.js';
import type { Decision, Metrics, Params, StudyRecord, TrialId, TrialOutcome, TrialRecord } from '../core/types.js';
import { paramsKey } from '../space/index.js';
import { objectiveReduce, type SearchSpace } from '../space/types.js';
import type { Storage } from '../storage/types.js';
import type { Strategy, Suggestion } from '../strategies/types.js';
import type { TrialBook } from './trial-book.js';

/** What a loop dispatches in: one study, its storage, its strategy, and the tuner's view of its trials. */
export interface DispatchScope {
  readonly space: SearchSpace;
  readonly study: StudyRecord;
  readonly storage: Storage;
  readonly strategy: Strategy;
  readonly book: TrialBook;
}

/** A new trial's unique key in its study: its number, so two tuners that race for the same number conflict. */
export const trialKey = (number: number): string => `#${number}`;

/**
 * An enqueued config's unique key: its params, so one config is enqueued once per study, by two racing tuners too.
 * A sampled trial's key is its number (`#n`), so the two never collide.
 */
export const enqueueKey = (params: Params): string => `enqueue:${paramsKey(params)}`;

/** A stored trial to (re)start before asking the strategy: queued but never run, or paused midway by a stop. */
export const isResumable = (t: TrialRecord): boolean => t.state === 'waiting' || (t.state === 'paused' && t.epochs < t.budget);

/** The outcome a trial the strategy prunes is stored with: where it got to, and its last value. */
export function prunedOutcome(t: TrialRecord | undefined): TrialOutcome {
  return { state: 'pruned', epochs: t?.epochs ?? 0, ...(t?.value != null ? { value: t.value } : {}) };
}

/**
 * Stores the trial a 'trial' suggestion asks for: a paused trial promoted to a larger budget, or a new trial with
 * the next number, its seed and its key. `claimBy` claims a new trial for that owner in the same write.
 */
export async function storeSuggested(scope: DispatchScope, s: Extract<Suggestion, { kind: 'trial' }>, claimBy?: string): Promise<TrialRecord> {
  const { storage, study, space, book } = scope;
  if (s.resumeOf !== undefined) return book.set(await storage.promoteTrial(s.resumeOf, s.budget, s.rung ?? 0));
  const number = book.nextNumber();
  const seed = studyStreams.trialSeed(space.seed, number);
  return book.set(await storage.createTrial(study.id, { ...s, seed, key: trialKey(number), ...(claimBy !== undefined ? { claimBy } : {}) }));
}

/**
 * Stores an enqueued config as a waiting trial with the next number, its seed and its key: it runs before the
 * strategy is asked, as any trial queued but never run does, and once run it is an ordinary trial.
 */
export async function storeEnqueued(scope: Pick<DispatchScope, 'storage' | 'study' | 'space'> & { readonly book: Pick<TrialBook, 'nextNumber' | 'set'> }, params: Params, budget: number): Promise<TrialRecord> {
  const { storage, study, space, book } = scope;
  const seed = studyStreams.trialSeed(space.seed, book.nextNumber());
  return book.set(await storage.createTrial(study.id, { params, budget, seed, key: enqueueKey(params) }));
}

/**
 * Claims a trial for `owner` before it runs, and marks it running in the book; null when another tuner claimed it
 * first. A trial created with `claimBy: owner` is already ours.
 */
export async function claimForRun(scope: Pick<DispatchScope, 'storage' | 'book'>, trial: TrialRecord, owner: string): Promise<TrialRecord | null> {
  const ours = trial.state === 'running' && trial.worker === owner;
  if (!ours && !(await scope.storage.claimTrial(trial.id, owner))) return null;
  return scope.book.set({ ...trial, state: 'running', worker: owner });
}

/**
 * Stores one epoch's report and asks the strategy what the trial does next; returns the trial as it now stands.
 * `raw` is the epoch's objective value; the trial's value (stored, and told to the strategy) is what the
 * objective's `reduce` makes of its curve so far: this epoch's value, or its best epoch's.
 */
export async function recordReport(scope: DispatchScope, trial: TrialRecord, epoch: number, metrics: Metrics, raw: number): Promise<{ trial: TrialRecord; decision: Decision }> {
  const { storage, strategy, book } = scope;
  book.record(trial.id, epoch, raw);
  const value = book.valueAfter(trial.id, epoch) ?? raw;
  await storage.report(trial.id, epoch, metrics, value);
  const current = book.set({ ...trial, epochs: epoch, value });
  return { trial: current, decision: strategy.onReport(book.context(), current, epoch, value) };
}

/**
 * The value a finishing trial is stored with: with reduce `best`, its best epoch's value up to where it stopped
 * (or a better value the outcome brings, e.g. a value told through ask and tell); otherwise the outcome's own.
 */
export function reducedOutcome(scope: Pick<DispatchScope, 'space' | 'book'>, id: TrialId, outcome: TrialOutcome): TrialOutcome {
  if (objectiveReduce(scope.space) === 'last' || outcome.state === 'failed') return outcome;
  const best = scope.book.valueAfter(id, outcome.epochs);
  if (best === undefined || (outcome.value !== undefined && isBetter(outcome.value, best, scope.space.objective.direction))) return outcome;
  return { ...outcome, value: best };
}

/** Reads the study afresh into the book: after another tuner process changed it. */
export async function refreshBook(scope: Pick<DispatchScope, 'storage' | 'study' | 'book'>): Promise<void> {
  const { storage, study, book } = scope;
  book.reload(await storage.trials(study.id), await storage.objectiveCurves(study.id, study.metric));
}

/**
 * The rule for a failed write: a ConflictError means another tuner got there first (a trial number taken, a
 * trial no longer paused), so the study is read afresh and the caller looks again. Anything else is rethrown.
 */
export async function refreshOnConflict(err: unknown, scope: Pick<DispatchScope, 'storage' | 'study' | 'book'>): Promise<void> {
  if (!(err instanceof ConflictError)) throw err;
  await refreshBook(scope);
}

/** The trials to (re)start before asking the strategy, for a loop's queue; `skip` leaves out those it holds already. */
export const resumableTrials = (book: TrialBook, skip: (id: TrialId) => boolean = () => false): TrialRecord[] =>
  book.all().filter((t) => isResumable(t) && !skip(t.id));
