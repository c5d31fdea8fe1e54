/** A task's data, split and ready to train on, cached per worker thread (the same study re-uses it every trial). */
import type { DataSpec } from '../../space/types.js';
import { splitCsv } from './csv-split.js';
import { loadMnist } from './mnist.js';
import { splitData } from './split.js';
import { featureStats, standardise } from './standardise.js';
import type { SplitData } from './types.js';

const MAX_CACHED = 4; // a worker normally serves one study; bound memory if it serves more
const cache = new Map<string, SplitData>();

/** The split data without the cache: for a check that runs once, on the main thread, before the sweep. */
export function buildSplitData(spec: DataSpec, validationSplit: number, splitSeed: number): SplitData {
  if ('builtin' in spec) return splitData(loadMnist(spec.limit), validationSplit, splitSeed); // pixels are already 0…1
  const { train, validation } = splitCsv(spec, validationSplit, splitSeed);
  const stats = featureStats(train); // the training rows' statistics, whichever way the split was given
  return { train: standardise(train, stats), validation: standardise(validation, stats) };
}

/** `spec` may be absent only in a task whose module loads its own data; reaching here without it is an error. */
export function loadSplitData(spec: DataSpec | undefined, validationSplit: number, splitSeed: number): SplitData {
  if (spec === undefined) throw new Error('the task has no data: give task.data, or a task.module that exports loadData()');
  const key = JSON.stringify([spec, validationSplit, splitSeed]);
  let data = cache.get(key);
  if (data === undefined) {
    data = buildSplitData(spec, validationSplit, splitSeed);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(key, data);
  }
  return data;
}
