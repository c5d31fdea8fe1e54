import type { Params, TrialRecord } from '../core/types.js';
import { doneWithRung, isActive, pausedAtRungEnd, pausesAtRungEnd, rankAtBudget } from './rungs.js';
import type { StrategyContext, Suggestion } from './types.js';

/**
 * One synchronous successive-halving bracket (Jamieson & Talwalkar 2016; the inner loop of Hyperband,
 * Li et al. 2018, Algorithm 1): n_0 configs train `budgets[0]` epochs; once every trial of rung k is done,
 * the top ⌊n_k/η⌋ by their value at `budgets[k]` are promoted to `budgets[k+1]` and the rest are pruned.
 * Its state is the stored trials tagged with its bracket id, so it is rebuilt from storage on resume.
 */
export class Bracket {
  constructor(
    readonly id: number,
    /** Epoch budget of each rung, increasing; the last is the full budget. */
    readonly budgets: readonly number[],
    /** Configs in rung 0. */
    readonly size: number,
    readonly eta: number,
  ) {}

  get topRung(): number {
    return this.budgets.length - 1;
  }

  /**
   * The next thing this bracket needs: a new config, a promotion, a prune, or nothing until its running
   * trials report ('wait'), or nothing ever again ('done'). `canCreate` is false once the study's trial cap is hit.
   */
  ask(ctx: StrategyContext, newConfig: () => Params, canCreate: boolean): Suggestion {
    const mine = ctx.trials.filter((t) => t.bracket === this.id);
    if (mine.length < this.size && canCreate) {
      return { kind: 'trial', params: newConfig(), budget: this.budgets[0]!, rung: 0, bracket: this.id };
    }
    if (mine.length === 0) return { kind: 'done' };
    for (let k = 0; k < this.topRung; k++) {
      const rung = mine.filter((t) => (t.rung ?? 0) >= k);
      if (rung.length === 0) break;
      if (!rung.every((t) => doneWithRung(t, k))) return { kind: 'wait' };
      const ranked = rankAtBudget(ctx, rung, this.budgets[k]!);
      const keep = Math.floor(rung.length / this.eta);
      const waiting = (t: TrialRecord) => pausedAtRungEnd(t) && (t.rung ?? 0) === k;
      // Promotions first, so workers get work before the losers are tidied up.
      const promote = ranked.slice(0, keep).find(waiting);
      if (promote) {
        return { kind: 'trial', params: promote.params, budget: this.budgets[k + 1]!, rung: k + 1, bracket: this.id, resumeOf: promote.id };
      }
      const prune = ranked.slice(keep).find(waiting);
      if (prune) return { kind: 'prune', trialId: prune.id };
    }
    return mine.some(isActive) ? { kind: 'wait' } : { kind: 'done' };
  }

  /** Pause a trial at the end of a rung below the top, so it can be promoted from its checkpoint. */
  shouldPause(trial: TrialRecord, epoch: number): boolean {
    return pausesAtRungEnd(trial, epoch, this.topRung);
  }
}
