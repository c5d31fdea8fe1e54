/** The strategy contract (contract.ts) over every strategy type, plus the multi-fidelity ones with a TPE sampler. */
import type { StrategySpec } from '../../src/space/types.js';
import { BOHB_DEFAULTS } from '../../src/space/tpe-schema.js';
import { strategyContract } from './contract.js';
import { codeSpace } from './study.js';

/** Floats with a step, ints and a categorical: every param kind, and a grid (21·8·3 = 504 points) all strategies accept. */
const PARAMS = {
  x: { type: 'float', min: 0, max: 1, log: false, step: 0.05 },
  units: { type: 'int', min: 1, max: 8, log: false, step: 1 },
  act: { type: 'categorical', values: ['relu', 'tanh', 'sigmoid'] },
} as const;

const fidelity = { eta: 3, minEpochs: 1, maxEpochs: 9 };
const cases: [string, StrategySpec, 'minimize' | 'maximize'][] = [
  ['random', { type: 'random', trials: 14 }, 'maximize'],
  ['grid', { type: 'grid', trials: 14 }, 'minimize'],
  ['successive-halving', { type: 'successive-halving', ...fidelity, trials: 10 }, 'maximize'],
  ['hyperband', { type: 'hyperband', ...fidelity, iterations: 1 }, 'minimize'],
  ['asha', { type: 'asha', ...fidelity, trials: 20 }, 'maximize'],
  ['tpe', { type: 'tpe', trials: 20, startup: 5, candidates: 24, gamma: 0.25, multivariate: true }, 'minimize'],
  ['bohb', { type: 'bohb', ...fidelity, iterations: 1, ...BOHB_DEFAULTS, startup: 3 }, 'maximize'],
  ['hyperband with sampler tpe', { type: 'hyperband', ...fidelity, iterations: 1, sampler: 'tpe' }, 'maximize'],
  ['asha with sampler tpe', { type: 'asha', ...fidelity, trials: 20, sampler: 'tpe' }, 'minimize'],
];

for (const [name, strategy, direction] of cases) {
  const space = codeSpace(PARAMS, strategy, 3, direction);
  strategyContract(name, { ...space, task: { ...space.task, epochs: 3 } });
}
