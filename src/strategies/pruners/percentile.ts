import type { TrialRecord } from '../../core/types.js';
import type { ComparisonSchedule } from '../../space/pruner-schema.js';
import type { StrategyContext } from '../types.js';
import { bestSoFar, isCheckEpoch, percentileOf, signedAt } from './curves.js';
import type { Pruner } from './types.js';

/**
 * The median stopping rule (Golovin et al., "Google Vizier", KDD 2017, §3.2.1) and its generalisation to a
 * percentile, with Optuna's MedianPruner/PercentilePruner semantics: at a check epoch, a trial whose best value so
 * far is worse than the `100 − percentile`-th percentile (signed, higher is better) of the other trials' values at
 * that same epoch is pruned; one whose values are all NaN is pruned too. No pruning before `startup` trials of the
 * study are complete, nor with fewer than `minTrials` other values at the epoch.
 *
 * The other trials are every trial that reported that epoch, running ones included (Optuna compares with
 * complete trials only): with several workers, trials that started together are compared with each other as they
 * go, not only with trials that had finished before. Failed trials are left out: an error, not a rule, ended them.
 */
export class PercentilePruner implements Pruner {
  readonly type: string;

  constructor(
    private readonly spec: ComparisonSchedule,
    /** Trials in the top this many per cent are kept: 50 is the median rule. */
    private readonly percentile: number,
    type = percentile === 50 ? 'median' : 'percentile',
  ) {
    this.type = type;
  }

  shouldPrune(ctx: StrategyContext, trial: TrialRecord, epoch: number): boolean {
    if (!isCheckEpoch(ctx, trial, epoch, this.spec)) return false;
    let complete = 0;
    const others: number[] = [];
    for (const t of ctx.trials) {
      if (t.state === 'complete') complete++;
      if (t.id === trial.id || t.state === 'failed') continue;
      const v = signedAt(ctx, t, epoch);
      if (v !== undefined) others.push(v);
    }
    if (complete < this.spec.startup) return false;
    const best = bestSoFar(ctx, trial, epoch);
    if (Number.isNaN(best)) return true;
    if (others.length === 0 || others.length < this.spec.minTrials) return false;
    // Signed values: keeping the top p% of "higher is better" is a cut at the (100 − p)th percentile.
    return best < percentileOf(others, 100 - this.percentile);
  }
}
