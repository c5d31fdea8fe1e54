/**
 * The dispatch rules both tuner loops share: the sweep (`sweep.ts`, trials run by a TrialRunner) and ask-and-tell
 * (`ask-tell.ts`, trials run by the caller). Each rule is written here once, so the two loops can't drift apart.
 */
import { ConflictError, StorageError, errorMessage } from '../core/errors.js';
import { isBetter } from '../core/objective.js';
import { studyStreams } from '../core/rng-streams.js';
import type { Decision, Metrics, Params, StudyRecord, TrialId, TrialOutcome, TrialRecord } from '../core/types.js';
import { paramsKey } from '../space/index.js';
import { objectiveReduce, type SearchSpace } from '../space/types.js';
import type { Fence, Storage } from '../storage/types.js';
import type { Strategy, Suggestion } from '../strategies/types.js';
import type { TrialBook } from './trial-book.js';

/** What a loop dispatches in: one study, its storage, its strategy, and the tuner's view of its trials. */
export interface DispatchScope {
  readonly space: SearchSpace;
  readonly study: StudyRecord;
  readonly storage: Storage;
  readonly strategy: Strategy;
  readonly book: TrialBook;
  /** The lease a claim takes (ms), renewed by the tuner's heartbeat; none for ask-and-tell (nobody heartbeats). */
  readonly leaseMs?: number;
}

/**
 * An enqueued config's unique key: its params, so one config is enqueued once per study, by two racing tuners too.
 * A sampled trial's key is its number (`#n`, storage's `numberKey`), so the two never collide.
 */
export const enqueueKey = (params: Params): string => `enqueue:${paramsKey(params)}`;

export { isResumable } from './trial-book.js';

/** The outcome a trial the strategy prunes is stored with: where it got to, and its last value. */
export function prunedOutcome(t: TrialRecord | undefined): TrialOutcome {
  return { state: 'pruned', epochs: t?.epochs ?? 0, ...(t?.value != null ? { value: t.value } : {}) };
}

/**
 * How many numbers a new trial offers while other tuners create too (`TrialBook.shared`): about twice as many as the
 * trials they slipped in before the last create, between 4 and 32, and twice as many after a miss.
 */
const WINDOW = { min: 4, max: 32 } as const;

/**
 * Stores the trial a 'trial' suggestion asks for: a paused trial promoted to a larger budget, or a new trial with
 * the next number, its seed and its key `#n`. `claimBy` claims a new trial for that owner in the same write.
 *
 * The number is the storage's (the next one, under the study's lock), and n's seed is `trialSeed(studySeed, n)`.
 * The strategy drew its config for the view's next number; only a tuner that saw every trial before it may store it
 * there (a window of one number). A strategy whose configs depend on the view only through that number
 * (`Strategy.paramsAt`: random, TPE, ASHA) offers, once other tuners create too, a window of the next few numbers,
 * each with its own config and seed: tuners that read the study at the same moment then each take a number instead
 * of all but one losing the race, and number n's config is still the one drawn for n, once (key `#n`). Alone, a
 * tuner's view is never behind, so it stores exactly the trial of one number, as without the window.
 */
export async function storeSuggested(scope: DispatchScope, s: Extract<Suggestion, { kind: 'trial' }>, claimBy?: string): Promise<TrialRecord> {
  const { storage, study, space, book, strategy } = scope;
  const resumeOf = s.resumeOf;
  if (resumeOf !== undefined) return book.set(await decideOn(scope, resumeOf, () => storage.promoteTrial(resumeOf, s.budget, s.rung ?? 0)));
  const first = book.nextNumber();
  const ctx = book.context();
  const paramsAt = strategy.paramsAt;
  // Never past the trial cap: a number the strategy would not have created at is not offered.
  const size = paramsAt !== undefined && book.shared ? Math.min(Math.max(WINDOW.min, book.window), Math.max(1, ctx.maxTrials - first)) : 1;
  const at = Array.from({ length: size }, (_, i) => ({
    seed: studyStreams.trialSeed(space.seed, first + i),
    ...(i > 0 ? { params: paramsAt!.call(strategy, ctx, first + i) } : {}),
  }));
  const claim = claimBy !== undefined ? { claimBy, ...(scope.leaseMs !== undefined ? { leaseMs: scope.leaseMs } : {}) } : {};
  let created: TrialRecord;
  try {
    created = await storage.createTrial(study.id, { ...s, seed: at[0]!.seed, numbers: { first, at, keyByNumber: true }, ...claim });
  } catch (err) {
    // A lost race says another tuner creates too, also before this view has seen one of its trials.
    if (err instanceof ConflictError) {
      book.shared = true;
      if (size > 1) book.window = Math.min(WINDOW.max, size * 2);
    }
    throw err;
  }
  if (size > 1) book.window = Math.min(WINDOW.max, Math.max(WINDOW.min, 2 * (created.number - first + 1)));
  return book.set(created);
}

/** Stores a strategy's prune of a paused trial; a lost race with another tuner is a ConflictError (see decideOn). */
export async function pruneTrial(scope: DispatchScope, id: TrialId): Promise<TrialRecord> {
  return scope.book.set(await decideOn(scope, id, () => scope.storage.finishTrial(id, prunedOutcome(scope.book.get(id)))));
}

/**
 * Runs a decision on a trial this tuner doesn't hold (a promotion or a prune). Storage refuses one that came too late
 * with a ConflictError; but a decision taken on a stale view can also fail storage's own checks (the trial was
 * promoted past that budget, or finished, by another tuner since this view was read). That is a lost race too, not
 * a bug: if the stored trial moved since the view saw it, the refusal becomes a ConflictError, so the loop refreshes
 * its view and asks again.
 */
async function decideOn(scope: DispatchScope, id: TrialId, write: () => Promise<TrialRecord>): Promise<TrialRecord> {
  const seen = scope.book.get(id);
  try {
    return await write();
  } catch (err) {
    if (!(err instanceof StorageError) || err instanceof ConflictError || seen === undefined) throw err;
    const now = await scope.storage.trial(id);
    const moved = now !== null && (now.state !== seen.state || now.budget !== seen.budget || now.rung !== seen.rung || now.epochs !== seen.epochs);
    if (!moved) throw err;
    throw new ConflictError(`trial ${id} changed under this tuner (another tuner decided first): ${errorMessage(err)}`, { cause: err });
  }
}

/**
 * Stores an enqueued config as a waiting trial with the next number, that number's seed and its key: it runs before
 * the strategy is asked, as any trial queued but never run does, and once run it is an ordinary trial. Its key is its
 * params, so it may take any of the next few numbers (a window of seeds): whichever it gets, its seed is that one's.
 */
export async function storeEnqueued(scope: Pick<DispatchScope, 'storage' | 'study' | 'space'> & { readonly book: Pick<TrialBook, 'nextNumber' | 'set'> }, params: Params, budget: number): Promise<TrialRecord> {
  const { storage, study, space, book } = scope;
  const first = book.nextNumber();
  const at = Array.from({ length: 8 }, (_, i) => ({ seed: studyStreams.trialSeed(space.seed, first + i) }));
  return book.set(await storage.createTrial(study.id, { params, budget, seed: at[0]!.seed, key: enqueueKey(params), numbers: { first, at } }));
}

/**
 * Claims a trial for `owner` before it runs, and marks it running in the book; null when another tuner claimed it
 * first. A trial created with `claimBy: owner` is already ours.
 */
export async function claimForRun(scope: Pick<DispatchScope, 'storage' | 'book' | 'leaseMs'>, trial: TrialRecord, owner: string): Promise<TrialRecord | null> {
  const ours = trial.state === 'running' && trial.worker === owner;
  if (ours) return scope.book.set(trial);
  const claimed = await scope.storage.acquireTrial(trial.id, owner, scope.leaseMs);
  return claimed === null ? null : scope.book.set(claimed);
}

/** The fencing token of a trial this tuner claimed: its writes carry it, so they are refused once it lost the lease. */
export const fenceOf = (trial: TrialRecord, owner: string): Fence => ({ worker: owner, claim: trial.claims ?? 0 });

/**
 * Stores one epoch's report and asks the strategy what the trial does next; returns the trial as it now stands.
 * `raw` is the epoch's objective value; the trial's value (stored, and told to the strategy) is what the
 * objective's `reduce` makes of its curve so far: this epoch's value, or its best epoch's.
 */
export async function recordReport(scope: DispatchScope, trial: TrialRecord, epoch: number, metrics: Metrics, raw: number, fence?: Fence): Promise<{ trial: TrialRecord; decision: Decision }> {
  const { storage, strategy, book } = scope;
  book.record(trial.id, epoch, raw);
  const value = book.valueAfter(trial.id, epoch) ?? raw;
  await storage.report(trial.id, epoch, metrics, value, fence);
  const current = book.set({ ...trial, epochs: epoch, value });
  return { trial: current, decision: strategy.onReport(book.context(), current, epoch, value) };
}

/** An epoch's report whose write waits for the trial's finish, which stores it in the same call. */
export interface HeldReport {
  readonly epoch: number;
  readonly metrics: Metrics;
  readonly value: number;
}

/**
 * recordReport for the sweep, which may hold back the write of a trial's last epoch: an epoch at or past the budget
 * that the strategy lets go on ends the trial, so its report goes with the finish (one storage call instead of two,
 * issue 13 §8). Strategies and pruners decide without side effects (strategies/types.ts), so deciding before the
 * write is the same decision. Any other epoch is stored first, as recordReport does. A crash before the finish loses
 * the held epoch with the unfinished trial, which runs again.
 */
export async function recordOrHoldReport(scope: DispatchScope, trial: TrialRecord, epoch: number, metrics: Metrics, raw: number, fence?: Fence): Promise<{ trial: TrialRecord; decision: Decision; held?: HeldReport }> {
  const { storage, strategy, book } = scope;
  book.record(trial.id, epoch, raw);
  const value = book.valueAfter(trial.id, epoch) ?? raw;
  const reported = { ...trial, epochs: epoch, value };
  const decision = strategy.onReport(book.context(), reported, epoch, value);
  if (decision === 'continue' && epoch >= trial.budget && Number.isFinite(value)) {
    return { trial: book.set(reported), decision, held: { epoch, metrics, value } };
  }
  await storage.report(trial.id, epoch, metrics, value, fence);
  return { trial: book.set(reported), decision };
}

/** Stores a held report on its own, where the trial ends some other way than a finish at that epoch. */
export async function storeHeldReport(scope: Pick<DispatchScope, 'storage'>, id: TrialId, held: HeldReport | undefined, fence?: Fence): Promise<void> {
  if (held !== undefined) await scope.storage.report(id, held.epoch, held.metrics, held.value, fence);
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

/**
 * Brings the book up to date with what every tuner wrote: only the trials and reports that changed since the book's
 * `seq` (one indexed query), or the whole study on the first call. The first read takes the study's seq before the
 * trials, so whatever is written in between comes again with the next call, and a change only ever replaces.
 */
export async function refreshBook(scope: Pick<DispatchScope, 'storage' | 'study' | 'book'>): Promise<void> {
  const { storage, study, book } = scope;
  if (book.seq > 0) {
    const changes = await storage.changesSince(study.id, book.seq);
    if (changes.seq >= book.seq) return book.merge(changes, study.metric);
    // The seq went back: not the same database any more (a file replaced). Read everything again.
  }
  const { seq } = await storage.changesSince(study.id, Number.MAX_SAFE_INTEGER);
  book.reload(await storage.trials(study.id), await storage.objectiveCurves(study.id, study.metric));
  book.seq = seq;
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
  book.resumable().filter((t) => !skip(t.id));
