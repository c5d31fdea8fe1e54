import type { SearchSpace } from '../space/types.js';
import { GridStrategy } from './grid.js';
import { RandomStrategy } from './random.js';
import type { Strategy } from './types.js';

export type { Strategy, StrategyContext, Suggestion } from './types.js';
export { GridStrategy } from './grid.js';
export { RandomStrategy } from './random.js';

/** Builds the strategy the space file names. Its state comes from the trials passed to `ask`, not from here. */
export function createStrategy(space: SearchSpace): Strategy {
  switch (space.strategy.type) {
    case 'random':
      return new RandomStrategy(space);
    case 'grid':
      return new GridStrategy(space);
  }
}

/** How many trials the strategy runs when nothing overrides it. */
export function defaultTrialCount(space: SearchSpace): number {
  switch (space.strategy.type) {
    case 'random':
      return space.strategy.trials;
    case 'grid':
      return space.strategy.trials ?? new GridStrategy(space).size;
  }
}
