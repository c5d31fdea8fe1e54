import type { Decision, TrialRecord } from '../core/types.js';
import { rungLadder } from '../space/fidelity.js';
import type { FidelitySpec, SearchSpace } from '../space/types.js';
import { Bracket } from './bracket.js';
import { randomSampler, type ConfigSampler } from './sampling.js';
import type { Strategy, StrategyContext, Suggestion } from './types.js';

export interface HyperbandBracketPlan {
  /** s in the paper: the bracket runs s + 1 rungs. */
  readonly s: number;
  /** n: configs in its first rung. */
  readonly n: number;
  /** Epoch budget of each rung, r_i = R·η^(i−s) in epochs; the first is r. */
  readonly budgets: readonly number[];
}

/**
 * Hyperband's brackets (Li et al., JMLR 2018, Algorithm 1), with R = maxEpochs/minEpochs in units of minEpochs:
 * s_max = ⌊log_η R⌋, B = (s_max+1)R, and for s = s_max … 0: n = ⌈(B/R)·η^s/(s+1)⌉, r = R·η^(−s).
 * For R = 81, η = 3 this gives (n, r) = (81,1) (34,3) (15,9) (8,27) (5,81).
 */
export function hyperbandBrackets(spec: FidelitySpec): HyperbandBracketPlan[] {
  const ladder = rungLadder(spec); // ladder[k] = maxEpochs·η^(k−s_max)
  const sMax = ladder.length - 1;
  const plans: HyperbandBracketPlan[] = [];
  for (let s = sMax; s >= 0; s--) {
    const n = Math.ceil(((sMax + 1) * spec.eta ** s) / (s + 1));
    plans.push({ s, n, budgets: ladder.slice(sMax - s) });
  }
  return plans;
}

/** Configs over all brackets and iterations: the default trial cap, counted without building the strategy. */
export function hyperbandTrialCount(spec: FidelitySpec, iterations: number): number {
  return iterations * hyperbandBrackets(spec).reduce((sum, p) => sum + p.n, 0);
}

/**
 * Hyperband: its brackets, `iterations` times over. Brackets are asked in order, and when one has to wait for a
 * rung to fill, the next one hands out work, so idle workers start the next bracket instead of waiting.
 */
export class HyperbandStrategy implements Strategy {
  readonly name: string = 'hyperband';
  readonly brackets: readonly Bracket[];
  private readonly sampler: ConfigSampler;

  constructor(
    space: SearchSpace,
    spec: FidelitySpec,
    iterations: number,
    /** Where new configs come from: random search (Hyperband) or a model (BOHB). */
    sampler?: ConfigSampler,
  ) {
    this.sampler = sampler ?? randomSampler(space);
    const plans = hyperbandBrackets(spec);
    const brackets: Bracket[] = [];
    for (let it = 0; it < iterations; it++) {
      for (const p of plans) brackets.push(new Bracket(brackets.length, p.budgets, p.n, spec.eta));
    }
    this.brackets = brackets;
  }

  /** Configs over all brackets and iterations: the default trial cap. */
  get totalTrials(): number {
    return this.brackets.reduce((sum, b) => sum + b.size, 0);
  }

  ask(ctx: StrategyContext): Suggestion {
    let waiting = false;
    const canCreate = ctx.trials.length < ctx.maxTrials;
    for (const bracket of this.brackets) {
      const s = bracket.ask(ctx, () => this.sampler.next(ctx, ctx.trials.length), canCreate);
      if (s.kind === 'trial' || s.kind === 'prune') return s;
      if (s.kind === 'wait') waiting = true;
    }
    return waiting ? { kind: 'wait' } : { kind: 'done' };
  }

  onReport(_ctx: StrategyContext, trial: TrialRecord, epoch: number): Decision {
    const bracket = this.brackets[trial.bracket ?? -1];
    return bracket?.shouldPause(trial, epoch) ? 'pause' : 'continue';
  }

  tell(): void {}
}
