import type { Decision, Params, TrialId, TrialRecord, TrialSuggestion } from '../core/types.js';

/**
 * What a strategy may look at when it decides. Values inside are raw; `sign` turns them into "higher is better".
 * Everything in it is read-only: a strategy reads, and answers with a `Suggestion` or a `Decision`.
 *
 * Identity across calls, which strategies may cache on (GridStrategy.catchUp, the TPE ObservationStore.sync):
 * - A trial is its `id`; its `number` and `params` never change. Within one `trials` array, trials are only
 *   appended, in creation order: the trial at index i keeps its index and id for the life of the array.
 * - A record is never mutated. A trial that changed arrives as a new record object with the same id, so the same
 *   object (`===`) means the same, unchanged trial.
 * - A new array, or one shorter than before, is a reload (e.g. another tuner changed the study, and its trials may
 *   sit between ones seen before, in number order): a cache keyed on the old array starts over from it.
 * - A config is its params (`paramsKey`): a stored trial in any state has taken its config.
 * - `valueAt(id, epoch)` never changes once it is defined: a value reported at an epoch is final.
 * Nothing else carries over. A fresh instance handed the same context answers as one that saw every earlier call,
 * which is what lets a resumed study continue exactly as the uninterrupted one (test/strategies/contract.ts).
 */
export interface StrategyContext {
  /** Every trial of the study, in creation order, as stored now. */
  readonly trials: readonly TrialRecord[];
  /** +1 to maximise, -1 to minimise: strategies always maximise `sign * value`. */
  readonly sign: 1 | -1;
  /** An upper bound on trials to create, from `--trials` or the space file. */
  readonly maxTrials: number;
  /** The objective's raw value of a trial at an epoch it reported (1-based), or undefined if it never got there. */
  valueAt(trialId: TrialId, epoch: number): number | undefined;
}

export type Suggestion =
  | ({ readonly kind: 'trial' } & TrialSuggestion)
  /** Finish a paused trial as pruned: it lost its rung and will not train again. */
  | { readonly kind: 'prune'; readonly trialId: TrialId }
  | { readonly kind: 'wait' }
  | { readonly kind: 'done' };

/**
 * Ask/tell. A strategy proposes and decides; it never starts, stops or mutates trials itself.
 * Its state is rebuilt from stored trials, so a resumed sweep continues where it was.
 */
export interface Strategy {
  readonly name: string;
  ask(ctx: StrategyContext): Suggestion;
  /**
   * What a running trial does after this epoch. A decision only: no state changes here, so the sweep may decide
   * before the epoch's report is written (it holds back a trial's last epoch to store it with the finish).
   */
  onReport(ctx: StrategyContext, trial: TrialRecord, epoch: number, value: number): Decision;
  tell(ctx: StrategyContext, trial: TrialRecord): void;
  /**
   * The config a new trial numbered `index` would get from this same context, for strategies whose new configs
   * depend on the context only through the number they draw by (random search, TPE, ASHA's rung 0): `ask`'s new
   * config is `paramsAt(ctx, ctx.trials.length)`. Lets a tuner whose view may be a few trials behind offer the storage
   * a window of numbers, each with its own config, so tuners racing for the next number don't conflict. Absent where
   * the context decides more than the draw (a grid's next free point, Hyperband's brackets): such a new trial is
   * created only by a tuner that saw every trial before it.
   */
  paramsAt?(ctx: StrategyContext, index: number): Params;
}
