/** The train/validation split: fixed by the study's split seed, so every trial of a study sees the same one. */
import { shuffledIndices } from '../../core/rng.js';
import { studyStreams } from '../../core/rng-streams.js';
import type { LabelledData, SplitData } from './types.js';

export function splitIndices(count: number, validationSplit: number, splitSeed: number): { train: Int32Array; validation: Int32Array } {
  if (!(validationSplit > 0 && validationSplit < 1)) throw new Error(`validationSplit must be between 0 and 1 (exclusive), got ${validationSplit}`);
  const order = shuffledIndices(count, studyStreams.split(splitSeed));
  const trainCount = Math.round(count * (1 - validationSplit));
  if (trainCount < 1 || trainCount >= count) {
    throw new Error(`validationSplit ${validationSplit} of ${count} rows leaves ${trainCount} for training and ${count - trainCount} for validation; both need at least one`);
  }
  return { train: order.slice(0, trainCount), validation: order.slice(trainCount) };
}

/** The given rows, in the given order, as a new data set. */
export function takeRows(data: LabelledData, rows: Int32Array): LabelledData {
  const f = data.numFeatures;
  const features = new Float32Array(rows.length * f);
  const labels = new Int32Array(rows.length);
  rows.forEach((row, i) => {
    features.set(data.features.subarray(row * f, (row + 1) * f), i * f);
    labels[i] = data.labels[row]!;
  });
  return { ...data, features, labels, count: rows.length };
}

export function splitData(data: LabelledData, validationSplit: number, splitSeed: number): SplitData {
  const { train, validation } = splitIndices(data.count, validationSplit, splitSeed);
  return { train: takeRows(data, train), validation: takeRows(data, validation) };
}
