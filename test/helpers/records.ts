import type { Params, TrialRecord, TrialState } from '../../src/core/types.js';
import type { SearchSpace } from '../../src/space/types.js';

/** A stored-trial record for strategy tests, as storage would return it. */
export function record(number: number, params: Params, state: TrialState = 'complete', value: number | null = null): TrialRecord {
  return {
    id: number + 1, studyId: 1, number, state, params, budget: 3, rung: null, bracket: null, seed: number,
    value, epochs: 3, error: null, checkpoint: null, worker: null, attempts: 0,
    createdAt: '2026-01-01T00:00:00.000Z', startedAt: null, finishedAt: null, heartbeatAt: null,
  };
}

/** A small normalised space; tests override what they exercise. */
export function space(overrides: Partial<SearchSpace> = {}): SearchSpace {
  return {
    name: 'unit',
    objective: { metric: 'val_accuracy', direction: 'maximize' },
    task: { data: { builtin: 'mnist', limit: 200 }, validationSplit: 0.2, model: { type: 'mlp', hidden: [16] }, optimizer: 'adam', epochs: 3 },
    params: {
      learningRate: { type: 'float', min: 1e-4, max: 1e-1, log: true },
      batchSize: { type: 'categorical', values: [32, 64] },
    },
    strategy: { type: 'random', trials: 5 },
    seed: 7,
    ...overrides,
  };
}
