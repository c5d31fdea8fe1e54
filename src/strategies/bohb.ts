import type { BohbSpec, SearchSpace } from '../space/types.js';
import { rungLadder } from '../space/fidelity.js';
import { HyperbandStrategy } from './hyperband.js';
import { FidelityTpeSampler } from './tpe/fidelity-sampler.js';

/**
 * BOHB (Falkner, Klein & Hutter, ICML 2018): Hyperband's brackets and rungs exactly (the same HyperbandStrategy,
 * the same Bracket), with each new config drawn from a TPE model fitted on the largest budget that has enough
 * values, or at random with probability `randomFraction` (fidelity-sampler.ts).
 */
export class BohbStrategy extends HyperbandStrategy {
  override readonly name: string = 'bohb';

  constructor(space: SearchSpace, spec: Omit<BohbSpec, 'type'>) {
    super(space, spec, spec.iterations, new FidelityTpeSampler(space, rungLadder(spec), spec));
  }
}
