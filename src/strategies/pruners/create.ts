import type { PrunerSpec } from '../../space/types.js';
import { PatiencePruner } from './patience.js';
import { PercentilePruner } from './percentile.js';
import { ThresholdPruner } from './threshold.js';
import type { Pruner } from './types.js';

/** Builds the pruner a space's `pruner` names. */
export function createPruner(spec: PrunerSpec): Pruner {
  switch (spec.type) {
    case 'median':
      return new PercentilePruner(spec, 50, 'median');
    case 'percentile':
      return new PercentilePruner(spec, spec.percentile, 'percentile');
    case 'patience':
      return new PatiencePruner(spec);
    case 'threshold':
      return new ThresholdPruner(spec);
  }
}
