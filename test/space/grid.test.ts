import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { formatPath, InputError } from '../../src/core/errors.js';
import { gridPointAt, gridPoints, gridSize, loadSpace, paramsKey, stepCount, steppedValue, type ParamSpec } from '../../src/space/index.js';

type Specs = Record<string, ParamSpec>;
const float = (min: number, max: number, step?: number): ParamSpec => ({ type: 'float', min, max, log: false, ...(step !== undefined ? { step } : {}) });
const int = (min: number, max: number, step = 1): ParamSpec => ({ type: 'int', min, max, log: false, step });
const cat = (...values: (number | string | boolean)[]): ParamSpec => ({ type: 'categorical', values });
const fixed = (value: number | string | boolean): ParamSpec => ({ type: 'fixed', value });

describe('gridPoints', () => {
  it('is the cartesian product in written order, last param fastest, fixed values in every point', () => {
    const params: Specs = { optimizer: cat('adam', 'sgd'), units: int(1, 3), dropout: fixed(0.1) };
    assert.equal(gridSize(params), 6);
    assert.deepEqual(gridPoints(params), [
      { optimizer: 'adam', units: 1, dropout: 0.1 },
      { optimizer: 'adam', units: 2, dropout: 0.1 },
      { optimizer: 'adam', units: 3, dropout: 0.1 },
      { optimizer: 'sgd', units: 1, dropout: 0.1 },
      { optimizer: 'sgd', units: 2, dropout: 0.1 },
      { optimizer: 'sgd', units: 3, dropout: 0.1 },
    ]);
    assert.deepEqual(Object.keys(gridPoints(params)[0]!), ['optimizer', 'units', 'dropout']);
  });

  it('follows the written order, not alphabetical order', () => {
    const points = gridPoints({ units: int(1, 2), batchSize: cat(64, 128) });
    assert.deepEqual(points.map((p) => [p.units, p.batchSize]), [[1, 64], [1, 128], [2, 64], [2, 128]]);
  });

  it('steps a float without drift', () => {
    assert.deepEqual(gridPoints({ l2: float(0, 0.3, 0.1) }).map((p) => p.l2), [0, 0.1, 0.2, 0.3]);
    assert.deepEqual(gridPoints({ l2: float(0.1, 0.7, 0.2) }).map((p) => p.l2), [0.1, 0.3, 0.5, 0.7]);
    const fine = gridPoints({ momentum: float(0, 1, 0.05) }).map((p) => p.momentum);
    assert.equal(fine.length, 21);
    fine.forEach((v, i) => assert.equal(v, Number((i * 0.05).toFixed(2))));
    assert.ok(fine.includes(0.15) && fine.includes(0.7) && fine.at(-1) === 1);
    assert.deepEqual(gridPoints({ lr: float(0.0001, 0.0005, 0.0001) }).map((p) => p.lr), [0.0001, 0.0002, 0.0003, 0.0004, 0.0005]);
  });

  it('stops at max when the step does not divide the range', () => {
    assert.deepEqual(gridPoints({ decay: float(0, 0.25, 0.1) }).map((p) => p.decay), [0, 0.1, 0.2]);
    assert.deepEqual(gridPoints({ units: int(8, 30, 8) }).map((p) => p.units), [8, 16, 24]);
  });

  it('gives one empty point for no params', () => {
    assert.equal(gridSize({}), 1);
    assert.deepEqual(gridPoints({}), [{}]);
  });

  it('gridPointAt agrees with gridPoints and rejects indexes outside the grid', () => {
    const params: Specs = { a: cat(1, 2, 3), b: int(0, 10, 5), c: float(0, 0.2, 0.1) };
    const points = gridPoints(params);
    assert.equal(points.length, gridSize(params));
    points.forEach((p, i) => assert.deepEqual(gridPointAt(params, i), p));
    assert.throws(() => gridPointAt(params, points.length), RangeError);
    assert.throws(() => gridPointAt(params, -1), RangeError);
  });

  it('refuses a float range without a step, at params.<name>', () => {
    const params: Specs = { learningRate: float(0.001, 0.1), batchSize: cat(32, 64), decay: float(0, 0.1) };
    for (const fn of [() => gridPoints(params, 'space.json'), () => gridSize(params, 'space.json')]) {
      assert.throws(fn, (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.equal(e.file, 'space.json');
        assert.deepEqual(e.issues.map((i) => formatPath(i.path)), ['params.learningRate', 'params.decay']);
        assert.match(e.issues[0]!.message, /grid search needs a "step" or "values"/);
        return true;
      });
    }
  });

  it('enumerates the shipped grid example', () => {
    const space = loadSpace(resolve('search-spaces/grid.json'));
    const points = gridPoints(space.params);
    assert.equal(points.length, gridSize(space.params));
    assert.ok(points.length >= 4 && points.length <= 16, 'the example grid should stay small');
    assert.equal(new Set(points.map(paramsKey)).size, points.length, 'grid points are distinct');
  });
});

describe('steppedValue', () => {
  it('rounds to the decimals of min and step', () => {
    assert.equal(steppedValue(0, 0.1, 3), 0.3);
    assert.equal(steppedValue(0.05, 0.1, 2), 0.25);
    assert.equal(steppedValue(-0.3, 0.1, 3), 0);
    assert.ok(Object.is(steppedValue(-0.3, 0.1, 3), 0), 'no negative zero');
    assert.equal(steppedValue(1e-7, 1e-7, 2), 3e-7);
  });
});

describe('stepCount', () => {
  it('counts both ends despite float noise, for small and huge ratios', () => {
    assert.equal(stepCount(0, 0.3, 0.1), 4);
    assert.equal(stepCount(0, 0.25, 0.1), 3);
    assert.equal(stepCount(0, 1, 1e-9), 1_000_000_001);
    assert.equal(stepCount(5, 5, 1), 1);
  });

  it('agrees with steppedValue: a range ending on its k-th step has k + 1 values', () => {
    for (const min of [0, 0.1, -1.5, 0.003, 7]) {
      for (const step of [0.1, 0.05, 0.001, 0.25, 3, 1e-6]) {
        for (const k of [1, 2, 3, 7, 10, 29, 100]) {
          const max = steppedValue(min, step, k);
          assert.equal(stepCount(min, max, step), k + 1, `min ${min}, step ${step}, max ${max}`);
          assert.equal(gridPoints({ x: float(min, max, step) }).at(-1)!.x, max);
        }
      }
    }
  });
});

describe('paramsKey', () => {
  it('ignores key order and float noise', () => {
    assert.equal(paramsKey({ b: 0.1 + 0.2, a: 1 }), paramsKey({ a: 1, b: 0.3 }));
    assert.equal(paramsKey({ x: steppedValue(0, 0.1, 1) }), paramsKey({ x: 0.1 }));
    assert.equal(paramsKey({ x: -0 }), paramsKey({ x: 0 }));
  });

  it('tells different params apart', () => {
    assert.notEqual(paramsKey({ a: 1 }), paramsKey({ a: 2 }));
    assert.notEqual(paramsKey({ a: 1 }), paramsKey({ a: '1' }));
    assert.notEqual(paramsKey({ a: 0.001 }), paramsKey({ a: 0.0011 }));
    assert.notEqual(paramsKey({ a: 1 }), paramsKey({ a: 1, b: 1 }));
    assert.notEqual(paramsKey({ a: true }), paramsKey({ a: 'true' }));
  });

  it('is stable text, usable as a map key', () => {
    assert.equal(paramsKey({ learningRate: 0.01, batchSize: 64 }), '{"batchSize":64,"learningRate":0.01}');
  });
});
