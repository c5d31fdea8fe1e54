import type { TrialRecord } from '../../core/types.js';
import type { StrategyContext } from '../types.js';

/**
 * A pruning rule: after each report, whether the trial should stop now. Like a strategy it only reads the study
 * (the trials and their curves through `ctx.valueAt`, which hold every trial's values as reported, running trials
 * included) and answers; the tuner loops carry the answer out. It keeps no state, so a resumed study prunes as
 * the uninterrupted one would.
 */
export interface Pruner {
  readonly type: string;
  /** `trial` has just reported `epoch` (1-based); true to stop it, stored as pruned. */
  shouldPrune(ctx: StrategyContext, trial: TrialRecord, epoch: number): boolean;
}
