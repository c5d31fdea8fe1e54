/** Shared test data: small tasks that train in well under a second. */
import { fileURLToPath } from 'node:url';
import type { Params } from '../../src/core/types.js';
import type { TaskSpec } from '../../src/space/types.js';
import type { TrialTask } from '../../src/execution/types.js';

export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/execution/${name}`, import.meta.url));
export const FAULTY_WORKER = new URL('../fixtures/execution/faulty-worker.ts', import.meta.url);

export const MNIST_MLP: TaskSpec = {
  data: { builtin: 'mnist', limit: 600 },
  validationSplit: 0.2,
  model: { type: 'mlp', hidden: [32] },
  optimizer: 'adam',
  epochs: 2,
};

export const BLOBS_MLP: TaskSpec = {
  data: { csv: fixture('blobs.csv'), label: 'species' },
  validationSplit: 0.25,
  model: { type: 'mlp', hidden: [8] },
  optimizer: 'adam',
  epochs: 2,
};

let nextId = 1;
export function trialTask(overrides: { params?: Params; task?: TaskSpec; budget?: number; seed?: number; splitSeed?: number; metric?: string } = {}): TrialTask {
  return {
    trialId: nextId++,
    params: overrides.params ?? { learningRate: 0.003, batchSize: 32 },
    task: overrides.task ?? MNIST_MLP,
    budget: overrides.budget ?? 2,
    seed: overrides.seed ?? 11,
    splitSeed: overrides.splitSeed ?? 42,
    metric: overrides.metric ?? 'val_accuracy',
  };
}

export const keepGoing = async (): Promise<'continue'> => 'continue';
