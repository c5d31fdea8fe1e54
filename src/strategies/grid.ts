import { createRng, shuffledIndices } from '../core/rng.js';
import type { Decision, Params } from '../core/types.js';
import { gridPoints, paramsKey } from '../space/grid.js';
import type { SearchSpace } from '../space/types.js';
import type { Strategy, StrategyContext, Suggestion } from './types.js';

/**
 * Grid search. Points are visited in a seeded random order (as Optuna's GridSampler does), so a sweep capped
 * below the grid's size still covers it evenly. A point is never run twice: every stored trial, whatever its
 * state, marks its point as taken, which also holds across a resume.
 */
export class GridStrategy implements Strategy {
  readonly name = 'grid';
  private readonly order: readonly Params[];

  constructor(private readonly space: SearchSpace) {
    const points = gridPoints(space.params);
    const idx = shuffledIndices(points.length, createRng(`${space.seed}/grid`));
    this.order = Array.from(idx, (i) => points[i]!);
  }

  get size(): number {
    return this.order.length;
  }

  ask(ctx: StrategyContext): Suggestion {
    if (ctx.trials.length >= ctx.maxTrials) return { kind: 'done' };
    const taken = new Set(ctx.trials.map((t) => paramsKey(t.params)));
    const next = this.order.find((p) => !taken.has(paramsKey(p)));
    if (next === undefined) return { kind: 'done' };
    return { kind: 'trial', params: next, budget: this.space.task.epochs };
  }

  onReport(): Decision {
    return 'continue';
  }

  tell(): void {}
}
