import { createRng, deriveSeed } from '../core/rng.js';
import type { Decision } from '../core/types.js';
import { sampleParams } from '../space/sample.js';
import type { SearchSpace } from '../space/types.js';
import type { Strategy, StrategyContext, Suggestion } from './types.js';

/**
 * Random search (Bergstra & Bengio, JMLR 2012). Trial n draws from its own RNG stream, derived from the
 * study seed and n, so the sequence is reproducible and a resumed study continues it without stored state.
 */
export class RandomStrategy implements Strategy {
  readonly name = 'random';
  constructor(private readonly space: SearchSpace) {}

  ask(ctx: StrategyContext): Suggestion {
    const n = ctx.trials.length;
    if (n >= ctx.maxTrials) return { kind: 'done' };
    const rng = createRng(deriveSeed(this.space.seed, `params/${n}`));
    return { kind: 'trial', params: sampleParams(this.space.params, rng), budget: this.space.task.epochs };
  }

  onReport(): Decision {
    return 'continue';
  }

  tell(): void {}
}
