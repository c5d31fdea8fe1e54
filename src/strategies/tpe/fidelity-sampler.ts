import type { Params } from '../../core/types.js';
import type { SearchSpace, TpeOptions } from '../../space/types.js';
import { randomConfig, type ConfigSampler } from '../sampling.js';
import type { StrategyContext } from '../types.js';
import { TpeSampler } from './sampler.js';

export interface FidelityTpeOptions extends Omit<TpeOptions, 'startup'> {
  /** Share of new configs drawn at random whatever the model says (BOHB's ρ, 1/3 by default). */
  readonly randomFraction: number;
  /** Values a rung needs before a model is fitted on it; default: searched params + 2. */
  readonly startup?: number;
}

/**
 * New configs for multi-fidelity strategies (BOHB; Hyperband or ASHA with `sampler: 'tpe'`), after Falkner, Klein &
 * Hutter, "BOHB: Robust and Efficient Hyperparameter Optimization at Scale", ICML 2018, §3: with probability ρ a
 * random config; otherwise the model of the largest rung budget that has at least `startup` values (default d + 2,
 * d the searched params: BOHB's N_min = d + 1 points for a d-dimensional KDE, plus one so that both l and g get a
 * kernel). The model is TPE's (model.ts), fitted on each trial's value at that budget; every trial that reached the
 * budget counts, whatever rung it paused at. Random while no rung has enough values.
 */
export class FidelityTpeSampler implements ConfigSampler {
  private readonly tpe: TpeSampler;
  private readonly minObservations: number;

  constructor(
    private readonly space: SearchSpace,
    /** The rung ladder, lowest budget first. */
    private readonly budgets: readonly number[],
    private readonly options: FidelityTpeOptions,
  ) {
    this.tpe = new TpeSampler(space, { ...options, startup: 0 }, budgets);
    this.minObservations = options.startup ?? this.tpe.dims + 2;
  }

  /** The config of the new trial numbered `index`. */
  next(ctx: StrategyContext, index: number): Params {
    this.tpe.sync(ctx);
    const rng = this.tpe.rng(index, 'fidelity');
    if (this.tpe.dims === 0 || rng() < this.options.randomFraction) return randomConfig(this.space, index);
    const budget = this.modelBudget();
    return budget === undefined ? randomConfig(this.space, index) : this.tpe.fromModel(index, budget);
  }

  /** The largest rung budget with enough values for a model, if any. Call after `sync`. */
  modelBudget(): number | undefined {
    for (let k = this.budgets.length - 1; k >= 0; k--) {
      const b = this.budgets[k]!;
      if (this.tpe.observedAt(b) >= Math.max(1, this.minObservations)) return b;
    }
    return undefined;
  }
}
