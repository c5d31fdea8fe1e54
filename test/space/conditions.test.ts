import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPath, InputError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { parseStoredSpace } from '../../src/engine/stored-space.js';
import {
  activeOnly, conditionOrder, gridPoints, gridSize, paramsKey, parseSpace, sampleParams, spaceSignature, type ParamSpec, type SearchSpace,
} from '../../src/space/index.js';

const BASE = { name: 'c', objective: { metric: 'val_accuracy' }, task: { data: { builtin: 'mnist' } } };

function space(params: Record<string, unknown>, strategy: Record<string, unknown> = { type: 'grid' }, task?: Record<string, unknown>): SearchSpace {
  return parseSpace({ ...BASE, ...(task ? { task: { ...BASE.task, ...task } } : {}), params, strategy }, 'space.json');
}

function issues(params: Record<string, unknown>): string[] {
  try {
    space(params, { type: 'random', trials: 2 });
  } catch (e) {
    assert.ok(e instanceof InputError, String(e));
    assert.equal(e.exitCode, 2);
    assert.equal(e.file, 'space.json');
    return e.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
  }
  return assert.fail('expected an InputError');
}

const OPTIMIZERS = { type: 'categorical', values: ['adam', 'sgd', 'rmsprop'] };

describe('conditional grids', () => {
  it('counts and enumerates only the valid combinations: an inactive param adds no duplicates', () => {
    const s = space({ optimizer: OPTIMIZERS, momentum: { type: 'categorical', values: [0, 0.5, 0.9], when: { optimizer: 'sgd' } }, batchSize: { type: 'categorical', values: [32, 64] } });
    // adam and rmsprop: 2 points each; sgd: 3 momenta × 2 batch sizes.
    assert.equal(gridSize(s.params), 2 + 2 + 6);
    const points = gridPoints(s.params);
    assert.equal(points.length, 10);
    assert.equal(new Set(points.map(paramsKey)).size, 10);
    for (const p of points) assert.equal('momentum' in p, p.optimizer === 'sgd', JSON.stringify(p));
  });

  it('counts a condition with several values, and several keys that must all hold', () => {
    const s = space({
      optimizer: OPTIMIZERS,
      momentum: { type: 'categorical', values: [0, 0.9], when: { optimizer: ['sgd', 'rmsprop'] } },
      decay: { type: 'categorical', values: [0, 0.01], when: { optimizer: 'sgd', momentum: 0.9 } },
    });
    // adam 1; rmsprop 2; sgd: momentum 0 (1) + momentum 0.9 × nesterov (2).
    assert.equal(gridSize(s.params), 1 + 2 + 3);
    assert.deepEqual(gridPoints(s.params).filter((p) => 'decay' in p).map((p) => [p.optimizer, p.momentum]), [['sgd', 0.9], ['sgd', 0.9]]);
  });

  it('per-layer units: one param per layer, active while layers >= i', () => {
    const s = space({ layers: { type: 'int', min: 1, max: 3 }, units: { type: 'categorical', values: [16, 32], perLayer: true } }, { type: 'grid' }, { validationSplit: 0.2 });
    assert.deepEqual(Object.keys(s.params), ['layers', 'units.1', 'units.2', 'units.3']);
    assert.equal(s.params['units.1']!.when, undefined);
    assert.deepEqual(s.params['units.2']!.when, { layers: [2, 3] });
    assert.deepEqual(s.params['units.3']!.when, { layers: [3] });
    assert.equal(gridSize(s.params), 2 + 4 + 8);
    for (const p of gridPoints(s.params)) assert.equal(Object.keys(p).length, 1 + (p.layers as number));
  });

  it('per-layer units without a layers param follow the model hidden count and are always active', () => {
    const s = space({ units: { type: 'int', min: 8, max: 9, perLayer: true } }, { type: 'grid' }, { model: { type: 'mlp', hidden: [4, 4, 4] } });
    assert.deepEqual(Object.keys(s.params), ['units.1', 'units.2', 'units.3']);
    assert.equal(gridSize(s.params), 8);
  });

  it('a space without conditions keeps its cartesian grid and written sampling order', () => {
    const s = space({ decay: 0, optimizer: OPTIMIZERS, batchSize: { type: 'categorical', values: [32, 64] } });
    assert.deepEqual(conditionOrder(s.params), ['decay', 'optimizer', 'batchSize']);
    assert.equal(gridSize(s.params), 6);
    assert.deepEqual(gridPoints(s.params)[1], { decay: 0, optimizer: 'adam', batchSize: 64 });
  });
});

describe('conditional sampling', () => {
  it('samples a param only when its condition holds, after the params it names', () => {
    // Written before the param it depends on: the condition order puts optimizer first.
    const params: Record<string, ParamSpec> = {
      momentum: { type: 'float', min: 0, max: 0.99, log: false, when: { optimizer: ['sgd'] } },
      optimizer: { type: 'categorical', values: ['adam', 'sgd'] },
    };
    assert.deepEqual(conditionOrder(params), ['optimizer', 'momentum']);
    const rng = createRng(5);
    let withMomentum = 0;
    for (let i = 0; i < 200; i++) {
      const p = sampleParams(params, rng);
      assert.equal('momentum' in p, p.optimizer === 'sgd', JSON.stringify(p));
      if ('momentum' in p) withMomentum++;
    }
    assert.ok(withMomentum > 60 && withMomentum < 140, `momentum in ${withMomentum} of 200`);
  });

  it('activeOnly drops what the config does not use', () => {
    const params: Record<string, ParamSpec> = {
      optimizer: { type: 'categorical', values: ['adam', 'sgd'] },
      momentum: { type: 'float', min: 0, max: 0.99, log: false, when: { optimizer: ['sgd'] } },
    };
    assert.deepEqual(activeOnly(params, { optimizer: 'adam', momentum: 0.5 }), { optimizer: 'adam' });
    assert.deepEqual(activeOnly(params, { optimizer: 'sgd', momentum: 0.5 }), { optimizer: 'sgd', momentum: 0.5 });
  });
});

describe('bad conditions exit 2, naming the file, the field and both ends', () => {
  it('a condition naming an unknown param', () => {
    assert.deepEqual(issues({ optimizer: OPTIMIZERS, momentum: { type: 'float', min: 0, max: 0.9, when: { optimiser: 'sgd' } } }), [
      'params.momentum.when.optimiser: momentum is conditioned on unknown param "optimiser" (did you mean "optimizer"?); expected one of: optimizer',
    ]);
  });

  it('a value the named param never takes', () => {
    assert.deepEqual(issues({ optimizer: OPTIMIZERS, momentum: { type: 'float', min: 0, max: 0.9, when: { optimizer: ['sgd', 'sdg'] } } }), [
      'params.momentum.when.optimizer: momentum is conditioned on optimizer = "sdg", which optimizer never takes: expected "adam" | "sgd" | "rmsprop"',
    ]);
    assert.deepEqual(issues({ layers: { type: 'int', min: 1, max: 3 }, dropout: { type: 'float', min: 0, max: 0.5, when: { layers: 4 } } }), [
      'params.dropout.when.layers: dropout is conditioned on layers = 4, which layers never takes: expected 1 | 2 | 3',
    ]);
    assert.match(issues({ learningRate: { type: 'float', min: 0.1, max: 1 }, dropout: { type: 'float', min: 0, max: 0.5, when: { learningRate: 0.5 } } })[0]!, /^params\.dropout\.when\.learningRate: .*cannot name a continuous float range/);
  });

  it('a cycle of conditions, and a param conditioned on itself', () => {
    assert.deepEqual(
      issues({
        optimizer: { type: 'categorical', values: ['adam', 'sgd'], when: { momentum: 0.9 } },
        momentum: { type: 'categorical', values: [0, 0.9], when: { optimizer: 'sgd' } },
      }),
      ['params.optimizer.when.momentum: a cycle of conditions: optimizer → momentum → optimizer (each waits for the next to be sampled)'],
    );
    assert.deepEqual(issues({ dropout: { type: 'categorical', values: [0, 0.1], when: { dropout: 0 } } }), ['params.dropout.when.dropout: dropout is conditioned on itself']);
  });

  it('perLayer on a param that has no layers, and a malformed when', () => {
    assert.deepEqual(issues({ dropout: { type: 'float', min: 0, max: 0.5, perLayer: true } }), ['params.dropout.perLayer: "perLayer" applies only to units and filters']);
    assert.match(issues({ optimizer: OPTIMIZERS, momentum: { type: 'float', min: 0, max: 0.9, when: { optimizer: [] } } })[0]!, /^params\.momentum\.when\.optimizer: /);
    assert.deepEqual(issues({ units: { type: 'int', min: 8, max: 16, perLayer: true }, 'units.1': 8 }), ['params.units.1: units.1 is also one of the params "units" makes with "perLayer": true; remove one of them']);
  });

  it('cnn params on an mlp, and bad architecture values', () => {
    assert.deepEqual(issues({ kernelSize: { type: 'int', min: 3, max: 5 } }), ['params.kernelSize: kernelSize shapes a cnn\'s conv blocks, but task.model is an mlp; set task.model.type to "cnn" or remove it']);
    assert.match(issues({ activation: { type: 'categorical', values: ['relu', 'relux'] } })[0]!, /^params\.activation\.values\[1\]: expected one of "relu" \| "elu"/);
    assert.match(issues({ layers: { type: 'float', min: 1, max: 3 } })[0]!, /^params\.layers\.type: layers takes integers/);
  });
});

describe('stored conditional spaces', () => {
  it('a normalised space with when and per-layer params reads back to itself (tune resume)', () => {
    const s = space({
      optimizer: OPTIMIZERS,
      momentum: { type: 'float', min: 0, max: 0.9, when: { optimizer: 'sgd' } },
      layers: { type: 'int', min: 1, max: 2 },
      units: { type: 'int', min: 8, max: 64, log: true, perLayer: true },
    }, { type: 'random', trials: 3 });
    const stored = JSON.parse(JSON.stringify(s)) as unknown;
    const back = parseStoredSpace(stored, 'tune.db', 'c');
    assert.equal(spaceSignature(back), spaceSignature(s));
    assert.deepEqual(back.params, s.params);
  });
});
