/** Feature standardisation with statistics from the training split only, so validation rows don't leak into training. */
import type { LabelledData } from './types.js';

export interface FeatureStats {
  readonly mean: Float64Array;
  /** Population standard deviation; 0 for a constant column. */
  readonly std: Float64Array;
}

export function featureStats(data: LabelledData): FeatureStats {
  const f = data.numFeatures;
  const mean = new Float64Array(f);
  const sq = new Float64Array(f);
  for (let r = 0; r < data.count; r++) for (let j = 0; j < f; j++) mean[j]! += data.features[r * f + j]!;
  for (let j = 0; j < f; j++) mean[j]! /= Math.max(1, data.count);
  for (let r = 0; r < data.count; r++) {
    for (let j = 0; j < f; j++) {
      const d = data.features[r * f + j]! - mean[j]!;
      sq[j]! += d * d;
    }
  }
  const std = sq.map((s) => Math.sqrt(s / Math.max(1, data.count)));
  return { mean, std };
}

/** (x - mean) / std per column; a constant column (std 0) is only centred. */
export function standardise(data: LabelledData, stats: FeatureStats): LabelledData {
  const f = data.numFeatures;
  const features = new Float32Array(data.features.length);
  for (let r = 0; r < data.count; r++) {
    for (let j = 0; j < f; j++) {
      const std = stats.std[j]!;
      const centred = data.features[r * f + j]! - stats.mean[j]!;
      features[r * f + j] = std > 0 ? centred / std : centred;
    }
  }
  return { ...data, features };
}
