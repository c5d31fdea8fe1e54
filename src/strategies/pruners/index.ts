/** Pruners: rules that stop unpromising trials of random, grid and TPE search early (the space file's `pruner`). */
export type { Pruner } from './types.js';
export { createPruner } from './create.js';
export { PrunedStrategy } from './pruned-strategy.js';
export { PercentilePruner } from './percentile.js';
export { PatiencePruner } from './patience.js';
export { ThresholdPruner } from './threshold.js';
export { bestSoFar, isCheckEpoch, percentileOf } from './curves.js';
