import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Params } from '../../src/core/types.js';
import type { ParamSpec } from '../../src/space/types.js';
import { paramGroups } from '../../src/strategies/tpe/groups.js';
import { codeSpace, median, MemoryStudy, trial } from './study.js';

/**
 * A conditional benchmark: an optimizer choice, a shared learning rate, and two params only SGD has. The optimum (0)
 * needs sgd with momentum 0.9 and dampening 0.2 at lr 0.01; adam's best is 0.3 and rmsprop's 0.5.
 */
const PARAMS: Record<string, ParamSpec> = {
  optimizer: { type: 'categorical', values: ['adam', 'sgd', 'rmsprop'] },
  lr: { type: 'float', min: 1e-4, max: 1, log: true },
  momentum: { type: 'float', min: 0, max: 0.99, log: false, when: { optimizer: ['sgd'] } },
  dampening: { type: 'float', min: 0, max: 1, log: false, when: { optimizer: ['sgd'] } },
};

function objective(p: Params): number {
  const lr = 0.1 * (Math.log10(p.lr as number) + 2) ** 2;
  if (p.optimizer === 'adam') return lr + 0.3;
  if (p.optimizer === 'rmsprop') return lr + 0.5;
  assert.ok(typeof p.momentum === 'number' && typeof p.dampening === 'number', `an sgd config without its params: ${JSON.stringify(p)}`);
  return lr + 4 * (p.momentum - 0.9) ** 2 + 2 * (p.dampening - 0.2) ** 2;
}

function checkActive(p: Params): void {
  assert.equal('momentum' in p, p.optimizer === 'sgd', JSON.stringify(p));
  assert.equal('dampening' in p, p.optimizer === 'sgd', JSON.stringify(p));
}

describe('tpe on a conditional space', () => {
  it('groups params by the trials they are active in', () => {
    assert.deepEqual(paramGroups(PARAMS).map((g) => g.names), [['optimizer', 'lr'], ['momentum', 'dampening']]);
  });

  it('beats random search at 100 trials over 10 seeds (median best value), sampling only active params', () => {
    const best = (type: 'random' | 'tpe', seed: number): number => {
      const strategy = type === 'tpe' ? { type, trials: 100, startup: 10, candidates: 24, gamma: 0.1, multivariate: true } : { type, trials: 100 };
      const study = MemoryStudy.of(codeSpace(PARAMS, strategy, seed));
      const value = study.run(100, objective);
      study.trials.forEach((t) => checkActive(t.params));
      return value;
    };
    const seeds = Array.from({ length: 10 }, (_, i) => i + 1);
    const random = median(seeds.map((s) => best('random', s)));
    const tpe = median(seeds.map((s) => best('tpe', s)));
    console.log(`median best over 10 seeds at 100 trials: tpe ${tpe.toFixed(4)}, random ${random.toFixed(4)}`);
    assert.ok(tpe < random, `tpe median ${tpe} vs random ${random}`);
    // The model finds the SGD branch and tunes its params, below adam's best of 0.3.
    assert.ok(tpe < 0.3, `tpe median ${tpe}`);
  });

  it('models an SGD-only param on SGD trials alone: good SGD trials pull momentum towards their value', () => {
    const space = codeSpace(PARAMS, { type: 'tpe', trials: 200, startup: 1, candidates: 24, gamma: 0.2, multivariate: true }, 3);
    const study = MemoryStudy.of(space);
    // Hand-made history: the good trials are SGD with momentum near 0.8; adam trials are worse and lack momentum.
    for (let i = 0; i < 20; i++) {
      const sgd = i % 2 === 0;
      const params: Params = sgd ? { optimizer: 'sgd', lr: 0.01, momentum: 0.8 + (i % 4) * 0.001, dampening: 0.5 } : { optimizer: 'adam', lr: 0.01 };
      study.trials.push(trial(i, params, 'complete', sgd ? 0.1 : 1));
    }
    const proposals: Params[] = [];
    for (let i = 0; i < 30; i++) proposals.push(study.step(() => 1));
    const sgd = proposals.filter((p) => p.optimizer === 'sgd');
    proposals.forEach(checkActive);
    assert.ok(sgd.length >= 20, `${sgd.length} of 30 proposals are sgd`);
    const near = sgd.filter((p) => Math.abs((p.momentum as number) - 0.8) < 0.15).length;
    assert.ok(near >= sgd.length * 0.7, `${near} of ${sgd.length} sgd proposals have momentum near 0.8`);
  });

  it('bohb keeps working on a conditional space', () => {
    const space = codeSpace(PARAMS, { type: 'bohb', eta: 3, minEpochs: 1, maxEpochs: 3, iterations: 1, randomFraction: 0.3, candidates: 24, gamma: 0.15, multivariate: true, startup: 3 }, 2);
    const study = MemoryStudy.of(space);
    for (let i = 0; i < 15; i++) {
      const s = study.ask();
      if (s.kind !== 'trial') break;
      if (s.resumeOf !== undefined) continue;
      checkActive(s.params);
      study.trials.push(trial(study.trials.length, s.params, 'complete', objective(s.params)));
    }
    assert.ok(study.trials.length >= 10);
  });
});
