/** The strategy contract (contract.ts) on a conditional space: determinism and exact continuation with absent params. */
import type { ParamSpec, StrategySpec } from '../../src/space/types.js';
import { BOHB_DEFAULTS } from '../../src/space/tpe-schema.js';
import { strategyContract } from './contract.js';
import { codeSpace } from './study.js';

/** A chain of conditions: `m` only with act = relu|tanh, `k` only with m = 0.5, `units.2` only with layers = 2. */
const PARAMS: Record<string, ParamSpec> = {
  act: { type: 'categorical', values: ['relu', 'tanh', 'sigmoid'] },
  x: { type: 'float', min: 0, max: 1, log: false, step: 0.05 },
  m: { type: 'categorical', values: [0, 0.5], when: { act: ['relu', 'tanh'] } },
  k: { type: 'int', min: 1, max: 6, log: false, step: 1, when: { m: [0.5] } },
  layers: { type: 'int', min: 1, max: 2, log: false, step: 1 },
  'units.2': { type: 'int', min: 1, max: 8, log: false, step: 1, when: { layers: [2] } },
};

const fidelity = { eta: 3, minEpochs: 1, maxEpochs: 9 };
const cases: [string, StrategySpec, 'minimize' | 'maximize'][] = [
  ['random (conditional)', { type: 'random', trials: 14 }, 'maximize'],
  ['grid (conditional)', { type: 'grid', trials: 14 }, 'minimize'],
  ['tpe (conditional)', { type: 'tpe', trials: 20, startup: 5, candidates: 24, gamma: 0.25, multivariate: true }, 'minimize'],
  ['tpe univariate (conditional)', { type: 'tpe', trials: 20, startup: 5, candidates: 24, gamma: 0.25, multivariate: false }, 'maximize'],
  ['bohb (conditional)', { type: 'bohb', ...fidelity, iterations: 1, ...BOHB_DEFAULTS, startup: 3 }, 'maximize'],
  ['asha with sampler tpe (conditional)', { type: 'asha', ...fidelity, trials: 20, sampler: 'tpe' }, 'minimize'],
];

for (const [name, strategy, direction] of cases) {
  const space = codeSpace(PARAMS, strategy, 3, direction);
  strategyContract(name, { ...space, task: { ...space.task, epochs: 3 } });
}
