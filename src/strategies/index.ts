import type { SearchSpace } from '../space/types.js';
import { AshaStrategy } from './asha.js';
import { GridStrategy } from './grid.js';
import { HyperbandStrategy } from './hyperband.js';
import { RandomStrategy } from './random.js';
import { defaultShaTrials, SuccessiveHalvingStrategy } from './successive-halving.js';
import type { Strategy } from './types.js';

export type { Strategy, StrategyContext, Suggestion } from './types.js';
export { AshaStrategy } from './asha.js';
export { GridStrategy } from './grid.js';
export { HyperbandStrategy, hyperbandBrackets } from './hyperband.js';
export { RandomStrategy } from './random.js';
export { SuccessiveHalvingStrategy } from './successive-halving.js';

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
      return new HyperbandStrategy(space, s, s.iterations);
    case 'asha':
      return new AshaStrategy(space, s);
  }
}

/** How many configs the strategy starts when `--trials` doesn't say. */
export function defaultTrialCount(space: SearchSpace): number {
  const s = space.strategy;
  switch (s.type) {
    case 'random':
    case 'asha':
      return s.trials;
    case 'grid':
      return s.trials ?? new GridStrategy(space).size;
    case 'successive-halving':
      return s.trials ?? defaultShaTrials(s);
    case 'hyperband':
      return new HyperbandStrategy(space, s, s.iterations).totalTrials;
  }
}

/** The epochs a trial of this study trains at most: the top rung for multi-fidelity strategies. */
export function fullBudget(space: SearchSpace): number {
  const s = space.strategy;
  return s.type === 'random' || s.type === 'grid' ? space.task.epochs : s.maxEpochs;
}
