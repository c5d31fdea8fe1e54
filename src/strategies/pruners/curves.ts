import type { TrialRecord } from '../../core/types.js';
import type { PruneSchedule } from '../../space/pruner-schema.js';
import type { StrategyContext } from '../types.js';

/**
 * What the pruners read of a study's curves. Values are signed (`ctx.sign`), so higher is better whatever the
 * direction. A NaN in a curve is treated as no report, as Optuna's pruners ignore NaN values (np.nanmax,
 * np.nanpercentile); the engine pads a curve's skipped steps with NaN, so this also skips them.
 */

/** The signed value of a trial at an epoch, or undefined when it has none there (never got there, or NaN). */
export function signedAt(ctx: StrategyContext, trial: TrialRecord, epoch: number): number | undefined {
  const v = ctx.valueAt(trial.id, epoch);
  return v === undefined || Number.isNaN(v) ? undefined : ctx.sign * v;
}

/** The trial's best signed value over epochs 1..epoch, or NaN when it has none (all NaN). */
export function bestSoFar(ctx: StrategyContext, trial: TrialRecord, epoch: number): number {
  let best = Number.NaN;
  for (let e = 1; e <= epoch; e++) {
    const v = signedAt(ctx, trial, e);
    if (v !== undefined && !(v <= best)) best = v;
  }
  return best;
}

/**
 * Whether `epoch` is a pruning check: from epoch warmup + 1, the first report at or after each epoch
 * warmup + 1 + k·interval. Optuna's `_is_first_in_interval_step` with step = epoch − 1: a report that skipped over
 * a check epoch is checked, and two reports between the same checks are checked once.
 */
export function isCheckEpoch(ctx: StrategyContext, trial: TrialRecord, epoch: number, { warmup, interval }: PruneSchedule): boolean {
  const step = epoch - 1;
  if (step < warmup) return false;
  const lastCheck = Math.floor((step - warmup) / interval) * interval + warmup;
  let previous = -1; // the step of the report before this one, -1 if none
  for (let e = epoch - 1; e >= 1; e--) {
    if (signedAt(ctx, trial, e) !== undefined) {
      previous = e - 1;
      break;
    }
  }
  return previous < lastCheck;
}

/**
 * The q-th percentile (0–100) of `values`, linearly interpolated between the closest ranks: numpy's default
 * method, which Optuna's PercentilePruner uses. `values` must be non-empty; it is sorted in place.
 */
export function percentileOf(values: number[], q: number): number {
  values.sort((a, b) => a - b);
  const at = (q / 100) * (values.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, values.length - 1);
  return values[lo]! + (values[hi]! - values[lo]!) * (at - lo);
}
