import type { TrialRecord } from '../../core/types.js';
import type { ThresholdPrunerSpec } from '../../space/pruner-schema.js';
import type { StrategyContext } from '../types.js';
import { isCheckEpoch } from './curves.js';
import type { Pruner } from './types.js';

/**
 * Optuna's ThresholdPruner: at a check epoch, prune when the latest raw value (not signed: the bounds are the
 * metric's own) is below `lower`, above `upper`, or NaN. For trials that diverge or never leave chance level.
 */
export class ThresholdPruner implements Pruner {
  readonly type = 'threshold';

  constructor(private readonly spec: Omit<ThresholdPrunerSpec, 'type'>) {}

  shouldPrune(ctx: StrategyContext, trial: TrialRecord, epoch: number): boolean {
    const v = ctx.valueAt(trial.id, epoch);
    if (v === undefined) return false;
    if (!isCheckEpoch(ctx, trial, epoch, this.spec)) return false;
    if (Number.isNaN(v)) return true;
    return (this.spec.lower !== undefined && v < this.spec.lower) || (this.spec.upper !== undefined && v > this.spec.upper);
  }
}
