import { gridSize } from '../space/grid.js';
import { rungLadder, type FidelityStrategySpec } from '../space/fidelity.js';
import { BOHB_DEFAULTS } from '../space/tpe-schema.js';
import type { FidelitySpec, SamplerName, SearchSpace, StrategySpecOf, StrategyType } from '../space/types.js';
import { AshaStrategy } from './asha.js';
import { BohbStrategy } from './bohb.js';
import { GridStrategy } from './grid.js';
import { HyperbandStrategy, hyperbandTrialCount } from './hyperband.js';
import { RandomStrategy } from './random.js';
import { createPruner, PrunedStrategy } from './pruners/index.js';
import { defaultShaTrials, SuccessiveHalvingStrategy } from './successive-halving.js';
import type { ConfigSampler } from './sampling.js';
import { FidelityTpeSampler } from './tpe/fidelity-sampler.js';
import { TpeStrategy } from './tpe/strategy.js';
import type { Strategy } from './types.js';

/**
 * The strategy half of each strategy type: how to build it and the numbers a study needs before it starts. The
 * space-file half (schema, defaults, checks) is in `space/strategy-definitions.ts`, because `space/` must not import
 * this layer; both registries are typed over `StrategyType`, so neither can miss a type.
 */
export interface StrategyDefinition<T extends StrategyType = StrategyType> {
  /** Builds the strategy. Its state comes from the trials passed to `ask`, not from here. */
  create(space: SearchSpace, spec: StrategySpecOf<T>): Strategy;
  /** How many configs it starts when `--trials` doesn't say, worked out without building it. */
  trialCount(space: SearchSpace, spec: StrategySpecOf<T>): number;
  /** The epochs a trial trains at most: the top rung for multi-fidelity strategies, `task.epochs` otherwise. */
  fullBudget(space: SearchSpace, spec: StrategySpecOf<T>): number;
}

/** `sampler: 'tpe'` on Hyperband or ASHA: BOHB's model with its defaults; otherwise (undefined) random search. */
function samplerFor(space: SearchSpace, spec: FidelitySpec & { readonly sampler?: SamplerName }): ConfigSampler | undefined {
  return spec.sampler === 'tpe' ? new FidelityTpeSampler(space, rungLadder(spec), BOHB_DEFAULTS) : undefined;
}

const taskEpochs = (space: SearchSpace): number => space.task.epochs;
const topRung = (_space: SearchSpace, spec: FidelityStrategySpec): number => spec.maxEpochs;

export const STRATEGY_DEFINITIONS = {
  random: { create: (space) => new RandomStrategy(space), trialCount: (_space, s) => s.trials, fullBudget: taskEpochs },
  grid: { create: (space) => new GridStrategy(space), trialCount: (space, s) => s.trials ?? gridSize(space.params), fullBudget: taskEpochs },
  'successive-halving': {
    create: (space, s) => new SuccessiveHalvingStrategy(space, s),
    trialCount: (_space, s) => s.trials ?? defaultShaTrials(s),
    fullBudget: topRung,
  },
  hyperband: {
    create: (space, s) => new HyperbandStrategy(space, s, s.iterations, samplerFor(space, s)),
    trialCount: (_space, s) => hyperbandTrialCount(s, s.iterations),
    fullBudget: topRung,
  },
  asha: { create: (space, s) => new AshaStrategy(space, s, samplerFor(space, s)), trialCount: (_space, s) => s.trials, fullBudget: topRung },
  tpe: { create: (space, s) => new TpeStrategy(space, s), trialCount: (_space, s) => s.trials, fullBudget: taskEpochs },
  bohb: { create: (space, s) => new BohbStrategy(space, s), trialCount: (_space, s) => hyperbandTrialCount(s, s.iterations), fullBudget: topRung },
} satisfies { readonly [T in StrategyType]: StrategyDefinition<T> };

/** The definition of the space's strategy, seen through the erased interface (each entry fits its key). */
function definitionFor(space: SearchSpace): StrategyDefinition {
  return STRATEGY_DEFINITIONS[space.strategy.type];
}

/**
 * Builds the strategy the space file names, with its pruner beside it when the space has one (never beside a
 * multi-fidelity strategy: the space refuses that). Its state comes from the trials passed to `ask`, not from here.
 */
export function createStrategy(space: SearchSpace): Strategy {
  const strategy = definitionFor(space).create(space, space.strategy);
  return space.pruner === undefined ? strategy : new PrunedStrategy(strategy, createPruner(space.pruner));
}

/** How many configs the strategy starts when `--trials` doesn't say. */
export function defaultTrialCount(space: SearchSpace): number {
  return definitionFor(space).trialCount(space, space.strategy);
}

/** The epochs a trial of this study trains at most: the top rung for multi-fidelity strategies. */
export function fullBudget(space: SearchSpace): number {
  return definitionFor(space).fullBudget(space, space.strategy);
}
