import type { Decision, Params } from '../core/types.js';
import type { SearchSpace } from '../space/types.js';
import { randomConfig } from './sampling.js';
import type { Strategy, StrategyContext, Suggestion } from './types.js';

/** Random search (Bergstra & Bengio, JMLR 2012): independent draws, each trial at the full budget. */
export class RandomStrategy implements Strategy {
  readonly name = 'random';
  constructor(private readonly space: SearchSpace) {}

  ask(ctx: StrategyContext): Suggestion {
    const n = ctx.trials.length;
    if (n >= ctx.maxTrials) return { kind: 'done' };
    return { kind: 'trial', params: randomConfig(this.space, n), budget: this.space.task.epochs };
  }

  paramsAt(_ctx: StrategyContext, index: number): Params {
    return randomConfig(this.space, index);
  }

  onReport(): Decision {
    return 'continue';
  }

  tell(): void {}
}
