import type { Decision, Params } from '../../core/types.js';
import type { SearchSpace, TpeSpec } from '../../space/types.js';
import type { Strategy, StrategyContext, Suggestion } from '../types.js';
import { TpeSampler } from './sampler.js';

/**
 * Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio & Kégl, "Algorithms for Hyper-Parameter
 * Optimization", NeurIPS 2011), with the design choices of Watanabe, "Tree-Structured Parzen Estimator:
 * Understanding Its Algorithm Components and Their Roles for Better Empirical Performance" (2023): split the
 * trials at the γ quantile into good and bad, fit Parzen estimators l(x) and g(x), draw `candidates` configs from l
 * and propose the one with the largest l(x)/g(x). The first `startup` configs are random search's own. Each trial
 * trains the full `task.epochs`.
 */
export class TpeStrategy implements Strategy {
  readonly name = 'tpe';
  private readonly sampler: TpeSampler;

  constructor(
    private readonly space: SearchSpace,
    spec: Omit<TpeSpec, 'type' | 'trials'>,
  ) {
    this.sampler = new TpeSampler(space, spec);
  }

  ask(ctx: StrategyContext): Suggestion {
    const n = ctx.trials.length;
    if (n >= ctx.maxTrials) return { kind: 'done' };
    return { kind: 'trial', params: this.sampler.suggest(ctx, n), budget: this.space.task.epochs };
  }

  paramsAt(ctx: StrategyContext, index: number): Params {
    return this.sampler.suggest(ctx, index);
  }

  onReport(): Decision {
    return 'continue';
  }

  tell(): void {}
}
