import { readFileSync } from 'node:fs';
import { parseSpace, type SearchSpace } from '../../src/space/index.js';
import { FILE, type Obj } from './strategy-helpers.js';

/** Stored definitions and signatures written by the code before the strategy registries, one per strategy type. */
export interface PinnedStrategy {
  readonly strategy: Obj;
  readonly name: string;
  readonly trials: number;
  readonly definition: unknown;
  readonly signature: string;
}
export const PINNED: readonly PinnedStrategy[] = JSON.parse(readFileSync(new URL('../fixtures/strategy-definitions.json', import.meta.url), 'utf8')) as PinnedStrategy[];

/** The space each pinned entry was made from. */
export function pinnedSpace(strategy: Obj): SearchSpace {
  const grid = strategy.type === 'grid';
  return parseSpace(
    {
      name: 'pinned',
      objective: { metric: 'val_accuracy' },
      task: { data: { builtin: 'mnist' }, epochs: 9 },
      params: {
        learningRate: { type: 'float', min: 0.001, max: 0.1, log: !grid, ...(grid ? { step: 0.033 } : {}) },
        batchSize: { type: 'categorical', values: [32, 64] },
      },
      strategy,
    },
    FILE,
  );
}
