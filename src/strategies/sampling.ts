import { studyStreams } from '../core/rng-streams.js';
import type { Params } from '../core/types.js';
import { sampleParams } from '../space/sample.js';
import type { SearchSpace } from '../space/types.js';
import type { StrategyContext } from './types.js';

/**
 * The configs drawn lately, per space: a tuner that offers a window of numbers (dispatch.ts `storeSuggested`) asks
 * for the same few indexes trial after trial, and each draw seeds an RNG.
 */
const configs = new WeakMap<SearchSpace, Map<number, Params>>();
const CONFIGS_KEPT = 256;

/**
 * The n-th random config of a study. Each index has its own RNG stream derived from the study seed, so the
 * sequence is reproducible and a resumed study continues it without stored sampler state.
 */
export function randomConfig(space: SearchSpace, index: number): Params {
  let drawn = configs.get(space);
  if (drawn === undefined) configs.set(space, (drawn = new Map()));
  let config = drawn.get(index);
  if (config === undefined) {
    // Frozen: one object is handed to every caller that asks for this index.
    config = Object.freeze(sampleParams(space.params, studyStreams.params(space.seed, index)));
    if (drawn.size >= CONFIGS_KEPT) drawn.delete(drawn.keys().next().value!);
    drawn.set(index, config);
  }
  return config;
}

/** Where a multi-fidelity strategy gets the config of a new trial numbered `index` (search, apart from scheduling). */
export interface ConfigSampler {
  next(ctx: StrategyContext, index: number): Params;
}

/** Random search's configs: the sampler Hyperband and ASHA use unless told otherwise. */
export function randomSampler(space: SearchSpace): ConfigSampler {
  return { next: (_ctx, index) => randomConfig(space, index) };
}
