import { resolve } from 'node:path';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Obj = { [key: string]: Json };

/** The file name parse errors are reported against. */
export const FILE = resolve('test/fixtures/spaces/inline.json');

/** A small valid space with the given strategy (and task overrides). */
export function space(strategy: Obj, task: Obj = {}): Obj {
  return {
    name: 'demo',
    objective: { metric: 'val_accuracy' },
    task: { data: { builtin: 'mnist' }, ...task },
    params: { learningRate: { type: 'float', min: 0.001, max: 0.1, log: true } },
    strategy,
  };
}
