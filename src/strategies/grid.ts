import { shuffledIndices } from '../core/rng.js';
import { studyStreams } from '../core/rng-streams.js';
import type { Decision, Params, TrialRecord } from '../core/types.js';
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
  private readonly keys: readonly string[];
  /** Keys of the stored trials seen so far, and how many of `ctx.trials` they cover (trials only get appended). */
  private readonly taken = new Set<string>();
  private seen: readonly TrialRecord[] = [];
  private seenCount = 0;
  /** Every point before it is taken, so the search for the next free one resumes here. */
  private cursor = 0;

  constructor(private readonly space: SearchSpace) {
    const points = gridPoints(space.params);
    const idx = shuffledIndices(points.length, studyStreams.gridOrder(space.seed));
    this.order = Array.from(idx, (i) => points[i]!);
    this.keys = this.order.map(paramsKey);
  }

  get size(): number {
    return this.order.length;
  }

  ask(ctx: StrategyContext): Suggestion {
    if (ctx.trials.length >= ctx.maxTrials) return { kind: 'done' };
    this.catchUp(ctx.trials);
    while (this.cursor < this.keys.length && this.taken.has(this.keys[this.cursor]!)) this.cursor++;
    const next = this.order[this.cursor];
    if (next === undefined) return { kind: 'done' };
    return { kind: 'trial', params: next, budget: this.space.task.epochs };
  }

  /** Adds the keys of trials new since the last ask; starts over if the list was replaced (a reload). */
  private catchUp(trials: readonly TrialRecord[]): void {
    if (trials !== this.seen || trials.length < this.seenCount) {
      this.taken.clear();
      this.seenCount = 0;
      this.cursor = 0;
      this.seen = trials;
    }
    for (; this.seenCount < trials.length; this.seenCount++) this.taken.add(paramsKey(trials[this.seenCount]!.params));
  }

  onReport(): Decision {
    return 'continue';
  }

  tell(): void {}
}
