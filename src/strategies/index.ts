/** The strategies layer's public API: the Strategy interface, each strategy, and the registry that builds them. */
export type { Strategy, StrategyContext, Suggestion } from './types.js';
export { createStrategy, defaultTrialCount, fullBudget, STRATEGY_DEFINITIONS, type StrategyDefinition } from './registry.js';
export { AshaStrategy } from './asha.js';
export { BohbStrategy } from './bohb.js';
export { GridStrategy } from './grid.js';
export { HyperbandStrategy, hyperbandBrackets, hyperbandTrialCount } from './hyperband.js';
export { RandomStrategy } from './random.js';
export { SuccessiveHalvingStrategy } from './successive-halving.js';
export { TpeStrategy } from './tpe/strategy.js';
export { randomSampler, type ConfigSampler } from './sampling.js';
export { createPruner, PrunedStrategy, PercentilePruner, PatiencePruner, ThresholdPruner, type Pruner } from './pruners/index.js';
