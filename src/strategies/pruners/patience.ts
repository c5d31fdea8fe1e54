import type { TrialRecord } from '../../core/types.js';
import type { PatiencePrunerSpec } from '../../space/pruner-schema.js';
import type { StrategyContext } from '../types.js';
import { signedAt } from './curves.js';
import type { Pruner } from './types.js';

/**
 * Early stopping as Keras' EarlyStopping callback does it, one trial at a time: an epoch improves when its value
 * beats the best improving value so far by more than `minDelta` (the first value always does); the trial is pruned
 * once `patience` epochs in a row have not. NaN epochs are passed over, as Optuna's PatientPruner ignores them (a
 * trial whose loss turns NaN fails in the trainer anyway). It looks at no other trial.
 */
export class PatiencePruner implements Pruner {
  readonly type = 'patience';

  constructor(private readonly spec: Pick<PatiencePrunerSpec, 'patience' | 'minDelta'>) {}

  shouldPrune(ctx: StrategyContext, trial: TrialRecord, epoch: number): boolean {
    let best = Number.NEGATIVE_INFINITY;
    let wait = 0;
    for (let e = 1; e <= epoch; e++) {
      const v = signedAt(ctx, trial, e);
      if (v === undefined) continue;
      if (v - this.spec.minDelta > best) {
        best = v;
        wait = 0;
      } else {
        wait++;
      }
    }
    return wait >= this.spec.patience;
  }
}
