import type { Decision, TrialRecord } from '../../core/types.js';
import type { Strategy, StrategyContext, Suggestion } from '../types.js';
import type { Pruner } from './types.js';

/**
 * A strategy with a pruner beside it: the strategy proposes and decides as before, and a trial it would let go on
 * is stopped ('stop', stored as pruned with its curve) when the pruner says so. Both tuner loops (the sweep and
 * ask/tell) ask `onReport` with each epoch in their view, so the pruner sees the same study in both. A trial that has
 * reached its budget completes: stopping it then would save no epoch and only hide its result.
 */
export class PrunedStrategy implements Strategy {
  constructor(
    private readonly inner: Strategy,
    readonly pruner: Pruner,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  ask(ctx: StrategyContext): Suggestion {
    return this.inner.ask(ctx);
  }

  /** The inner strategy's, where it has one (a pruner never changes which config a number gets). */
  get paramsAt(): Strategy['paramsAt'] {
    return this.inner.paramsAt?.bind(this.inner);
  }

  onReport(ctx: StrategyContext, trial: TrialRecord, epoch: number, value: number): Decision {
    const decision = this.inner.onReport(ctx, trial, epoch, value);
    if (decision !== 'continue' || epoch >= trial.budget) return decision;
    return this.pruner.shouldPrune(ctx, trial, epoch) ? 'stop' : 'continue';
  }

  tell(ctx: StrategyContext, trial: TrialRecord): void {
    this.inner.tell(ctx, trial);
  }
}
