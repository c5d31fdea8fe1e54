import type { Decision, TrialRecord } from '../core/types.js';
import { rungLadder } from '../space/fidelity.js';
import type { FidelitySpec, SearchSpace } from '../space/types.js';
import { Bracket } from './bracket.js';
import { pausesAtRungEnd } from './rungs.js';
import { randomConfig } from './sampling.js';
import type { Strategy, StrategyContext, Suggestion } from './types.js';

/** Configs in the first rung when the file gives none: η^K, so exactly one config reaches the top rung. */
export function defaultShaTrials(spec: FidelitySpec): number {
  return spec.eta ** (rungLadder(spec).length - 1);
}

/**
 * Synchronous successive halving (Jamieson & Talwalkar, AISTATS 2016): one bracket whose first rung holds
 * every config (`--trials` or the file's `trials`). A rung waits for its stragglers before promoting.
 */
export class SuccessiveHalvingStrategy implements Strategy {
  readonly name = 'successive-halving';
  private readonly budgets: readonly number[];

  constructor(
    private readonly space: SearchSpace,
    private readonly spec: FidelitySpec,
  ) {
    this.budgets = rungLadder(spec);
  }

  ask(ctx: StrategyContext): Suggestion {
    const bracket = new Bracket(0, this.budgets, ctx.maxTrials, this.spec.eta);
    return bracket.ask(ctx, () => randomConfig(this.space, ctx.trials.length), ctx.trials.length < ctx.maxTrials);
  }

  onReport(_ctx: StrategyContext, trial: TrialRecord, epoch: number): Decision {
    return pausesAtRungEnd(trial, epoch, this.budgets.length - 1) ? 'pause' : 'continue';
  }

  tell(): void {}
}
