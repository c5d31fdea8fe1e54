import { studyStreams } from '../core/rng-streams.js';
import type { Params } from '../core/types.js';
import { sampleParams } from '../space/sample.js';
import type { SearchSpace } from '../space/types.js';
import type { StrategyContext } from './types.js';

/**
 * The n-th random config of a study. Each index has its own RNG stream derived from the study seed, so the
 * sequence is reproducible and a resumed study continues it without stored sampler state.
 */
export function randomConfig(space: SearchSpace, index: number): Params {
  return sampleParams(space.params, studyStreams.params(space.seed, index));
}

/** Where a multi-fidelity strategy gets the config of a new trial numbered `index` (search, apart from scheduling). */
export interface ConfigSampler {
  next(ctx: StrategyContext, index: number): Params;
}

/** Random search's configs: the sampler Hyperband and ASHA use unless told otherwise. */
export function randomSampler(space: SearchSpace): ConfigSampler {
  return { next: (_ctx, index) => randomConfig(space, index) };
}
