import { isFidelityStrategy, rungBudgets } from '../space/fidelity.js';
import { BOHB_DEFAULTS } from '../space/tpe-schema.js';
import type { FidelitySpec, SamplerName, SearchSpace } from '../space/types.js';
import { AshaStrategy } from './asha.js';
import { BohbStrategy } from './bohb.js';
import { GridStrategy } from './grid.js';
import { HyperbandStrategy } from './hyperband.js';
import { RandomStrategy } from './random.js';
import { defaultShaTrials, SuccessiveHalvingStrategy } from './successive-halving.js';
import type { ConfigSampler } from './sampling.js';
import { FidelityTpeSampler } from './tpe/fidelity-sampler.js';
import { TpeStrategy } from './tpe/strategy.js';
import type { Strategy } from './types.js';

export type { Strategy, StrategyContext, Suggestion } from './types.js';
export { AshaStrategy } from './asha.js';
export { BohbStrategy } from './bohb.js';
export { GridStrategy } from './grid.js';
export { HyperbandStrategy, hyperbandBrackets } from './hyperband.js';
export { RandomStrategy } from './random.js';
export { SuccessiveHalvingStrategy } from './successive-halving.js';
export { TpeStrategy } from './tpe/strategy.js';
export { randomSampler, type ConfigSampler } from './sampling.js';

/** `sampler: 'tpe'` on Hyperband or ASHA: BOHB's model with its defaults; otherwise (undefined) random search. */
function samplerFor(space: SearchSpace, spec: FidelitySpec & { readonly sampler?: SamplerName }): ConfigSampler | undefined {
  return spec.sampler === 'tpe' ? new FidelityTpeSampler(space, rungBudgets(spec), BOHB_DEFAULTS) : undefined;
}

/** Builds the strategy the space file names. Its state comes from the trials passed to `ask`, not from here. */
export function createStrategy(space: SearchSpace): Strategy {
  const s = space.strategy;
  switch (s.type) {
    case 'random':
      return new RandomStrategy(space);
    case 'grid':
      return new GridStrategy(space);
    case 'successive-halving':
      return new SuccessiveHalvingStrategy(space, s);
    case 'hyperband':
      return new HyperbandStrategy(space, s, s.iterations, samplerFor(space, s));
    case 'asha':
      return new AshaStrategy(space, s, samplerFor(space, s));
    case 'tpe':
      return new TpeStrategy(space, s);
    case 'bohb':
      return new BohbStrategy(space, s);
  }
}

/** How many configs the strategy starts when `--trials` doesn't say. */
export function defaultTrialCount(space: SearchSpace): number {
  const s = space.strategy;
  switch (s.type) {
    case 'random':
    case 'asha':
    case 'tpe':
      return s.trials;
    case 'grid':
      return s.trials ?? new GridStrategy(space).size;
    case 'successive-halving':
      return s.trials ?? defaultShaTrials(s);
    case 'hyperband':
    case 'bohb':
      return new HyperbandStrategy(space, s, s.iterations).totalTrials;
  }
}

/** The epochs a trial of this study trains at most: the top rung for multi-fidelity strategies. */
export function fullBudget(space: SearchSpace): number {
  const s = space.strategy;
  return isFidelityStrategy(s) ? s.maxEpochs : space.task.epochs;
}
