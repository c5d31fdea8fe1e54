import { isFinishedState } from '../core/trial-state.js';
import type { TrialRecord } from '../core/types.js';
import type { StrategyContext } from './types.js';

/** A trial's score at a rung: its value at the rung's budget, signed so higher is better; NaN or missing is -Infinity. */
export function rungScore(ctx: StrategyContext, trial: TrialRecord, budget: number): number {
  const v = ctx.valueAt(trial.id, budget);
  return v === undefined || Number.isNaN(v) ? Number.NEGATIVE_INFINITY : ctx.sign * v;
}

/** Best first by score at `budget`; ties go to the earlier trial, so promotions are deterministic. */
export function rankAtBudget(ctx: StrategyContext, trials: readonly TrialRecord[], budget: number): TrialRecord[] {
  const scored = trials.map((t) => ({ t, score: rungScore(ctx, t, budget) }));
  scored.sort((a, b) => b.score - a.score || a.t.number - b.t.number);
  return scored.map((s) => s.t);
}

/** Paused at the end of its rung, waiting to be promoted or pruned (not stopped midway by Ctrl-C or a deadline). */
export function pausedAtRungEnd(t: TrialRecord): boolean {
  return t.state === 'paused' && t.epochs >= t.budget;
}

/** The trial has nothing more to do at rung `k`: it was promoted past it, or it paused at its end or finished there. */
export function doneWithRung(t: TrialRecord, k: number): boolean {
  return (t.rung ?? 0) > k || pausedAtRungEnd(t) || isFinishedState(t.state);
}

/** Running, queued, or paused midway (it will be resumed to its budget before its rung is decided). */
export function isActive(t: TrialRecord): boolean {
  return t.state === 'running' || t.state === 'waiting' || (t.state === 'paused' && !pausedAtRungEnd(t));
}

/** Multi-fidelity trials pause at the end of any rung below the top, so they can be promoted from a checkpoint. */
export function pausesAtRungEnd(trial: TrialRecord, epoch: number, topRung: number): boolean {
  return epoch >= trial.budget && (trial.rung ?? 0) < topRung;
}
