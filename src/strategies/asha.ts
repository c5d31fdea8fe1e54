import type { Decision, Params, TrialRecord } from '../core/types.js';
import { rungLadder } from '../space/fidelity.js';
import type { FidelitySpec, SearchSpace } from '../space/types.js';
import { isActive, pausedAtRungEnd, pausesAtRungEnd, rankAtBudget } from './rungs.js';
import { randomSampler, type ConfigSampler } from './sampling.js';
import type { Strategy, StrategyContext, Suggestion } from './types.js';

/**
 * Asynchronous successive halving (Li et al., "A System for Massively Parallel Hyperparameter Tuning",
 * MLSys 2020, Algorithm 2). get_job: from the top rung down, promote a paused trial that is in the top
 * ⌊|rung k|/η⌋ of everything rung k has seen so far; if there is none, start a new config in rung 0.
 * Nothing waits for a rung to fill. Rungs are read from the stored trials, so a resumed study keeps them.
 */
export class AshaStrategy implements Strategy {
  readonly name = 'asha';
  private readonly budgets: readonly number[];
  private readonly eta: number;
  private readonly sampler: ConfigSampler;

  constructor(
    space: SearchSpace,
    spec: FidelitySpec,
    /** Where new configs come from: random search by default, or a TPE model (`sampler: 'tpe'`). */
    sampler?: ConfigSampler,
  ) {
    this.budgets = rungLadder(spec);
    this.eta = spec.eta;
    this.sampler = sampler ?? randomSampler(space);
  }

  private get topRung(): number {
    return this.budgets.length - 1;
  }

  ask(ctx: StrategyContext): Suggestion {
    for (let k = this.topRung - 1; k >= 0; k--) {
      const budget = this.budgets[k]!;
      // Rung k holds every trial that reached its budget, whether it paused there or went on.
      const rung = ctx.trials.filter((t) => (t.rung ?? 0) >= k && ctx.valueAt(t.id, budget) !== undefined);
      const top = rankAtBudget(ctx, rung, budget).slice(0, Math.floor(rung.length / this.eta));
      const promote = top.find((t) => pausedAtRungEnd(t) && (t.rung ?? 0) === k);
      if (promote) return { kind: 'trial', params: promote.params, budget: this.budgets[k + 1]!, rung: k + 1, resumeOf: promote.id };
    }
    if (ctx.trials.length < ctx.maxTrials) {
      return { kind: 'trial', params: this.sampler.next(ctx, ctx.trials.length), budget: this.budgets[0]!, rung: 0 };
    }
    // No new configs left: running trials may still make a paused one promotable; once none run, prune the rest.
    if (ctx.trials.some(isActive)) return { kind: 'wait' };
    const leftover = ctx.trials.find(pausedAtRungEnd);
    return leftover ? { kind: 'prune', trialId: leftover.id } : { kind: 'done' };
  }

  /** A new config in rung 0 (the promotions are decided on the view, and stored by promoteTrial). */
  paramsAt(ctx: StrategyContext, index: number): Params {
    return this.sampler.next(ctx, index);
  }

  onReport(_ctx: StrategyContext, trial: TrialRecord, epoch: number): Decision {
    return pausesAtRungEnd(trial, epoch, this.topRung) ? 'pause' : 'continue';
  }

  tell(): void {}
}
