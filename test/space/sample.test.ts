import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { createRng } from '../../src/core/rng.js';
import type { ParamValue } from '../../src/core/types.js';
import { axisValues, loadSpace, sampleParams, sampleValue, type ParamSpec } from '../../src/space/index.js';

const N = 10_000;

function draws(spec: ParamSpec, seed = 1, n = N): ParamValue[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => sampleValue(spec, rng));
}

function numbers(values: readonly ParamValue[]): number[] {
  return values.map((v) => {
    assert.equal(typeof v, 'number');
    return v as number;
  });
}

const fractionBelow = (xs: readonly number[], t: number): number => xs.filter((x) => x < t).length / xs.length;

function assertNear(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);
}

function counts(values: readonly ParamValue[]): Map<ParamValue, number> {
  const m = new Map<ParamValue, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

describe('sampleValue', () => {
  it('linear float: stays in bounds, median near the middle', () => {
    const xs = numbers(draws({ type: 'float', min: -2, max: 6, log: false }));
    assert.ok(xs.every((x) => x >= -2 && x <= 6));
    assertNear(fractionBelow(xs, 2), 0.5, 0.02, 'fraction below the midpoint');
    assertNear(fractionBelow(xs, 0), 0.25, 0.02, 'fraction below the first quartile');
  });

  it('log float: stays in bounds, uniform in log space', () => {
    const min = 1e-4;
    const max = 1e-1;
    const xs = numbers(draws({ type: 'float', min, max, log: true }));
    assert.ok(xs.every((x) => x >= min && x <= max));
    assertNear(fractionBelow(xs, Math.sqrt(min * max)), 0.5, 0.02, 'fraction below the geometric midpoint');
    assertNear(fractionBelow(xs, 1e-3), 1 / 3, 0.02, 'fraction in the first decade');
    // A linear sampler would put only ~1% of draws below 1e-3.
    assert.ok(fractionBelow(xs, (min + max) / 2) > 0.85, 'most draws lie below the arithmetic midpoint');
  });

  it('stepped float: only grid values, all of them, without drift', () => {
    const spec: ParamSpec = { type: 'float', min: 0, max: 0.95, log: false, step: 0.05 };
    const grid = axisValues(spec)!;
    const c = counts(draws(spec));
    assert.deepEqual([...c.keys()].sort((a, b) => Number(a) - Number(b)), [...grid]);
    for (const n of c.values()) assertNear(n / N, 1 / grid.length, 0.015, 'stepped frequency');
  });

  it('int: uniform over the integers, both bounds included', () => {
    const c = counts(draws({ type: 'int', min: 1, max: 6, log: false, step: 1 }));
    assert.deepEqual([...c.keys()].sort(), [1, 2, 3, 4, 5, 6]);
    for (const n of c.values()) assertNear(n / N, 1 / 6, 0.02, 'int frequency');
  });

  it('int with a step: snapped to min + k * step within bounds', () => {
    const c = counts(draws({ type: 'int', min: 16, max: 130, log: false, step: 16 }));
    assert.deepEqual([...c.keys()].sort((a, b) => Number(a) - Number(b)), [16, 32, 48, 64, 80, 96, 112, 128]);
    for (const n of c.values()) assertNear(n / N, 1 / 8, 0.02, 'stepped int frequency');
  });

  it('log int: integers in bounds, log-uniform', () => {
    const xs = numbers(draws({ type: 'int', min: 1, max: 1000, log: true, step: 1 }));
    assert.ok(xs.every((x) => Number.isInteger(x) && x >= 1 && x <= 1000));
    assert.ok(xs.includes(1) && xs.includes(1000), 'both bounds reachable');
    // Log-uniform on [0.5, 1000.5] then rounded, so "below 31.6" means a continuous draw below 31.5.
    const expected = Math.log(31.5 / 0.5) / Math.log(1000.5 / 0.5);
    assertNear(fractionBelow(xs, Math.sqrt(1000)), expected, 0.02, 'fraction below the geometric midpoint');
    assertNear(fractionBelow(xs, 10), Math.log(9.5 / 0.5) / Math.log(1000.5 / 0.5), 0.02, 'fraction below 10');
  });

  it('categorical: every value, roughly uniform', () => {
    const values = [32, 64, 128, 'x', true];
    const c = counts(draws({ type: 'categorical', values }));
    assert.deepEqual(new Set(c.keys()), new Set(values));
    for (const n of c.values()) assertNear(n / N, 1 / values.length, 0.02, 'categorical frequency');
  });

  it('fixed: always the value, drawing nothing', () => {
    const rng = createRng(3);
    const twin = createRng(3);
    assert.equal(sampleValue({ type: 'fixed', value: 'adam' }, rng), 'adam');
    assert.equal(rng(), twin());
  });
});

describe('sampleParams', () => {
  const space = loadSpace(resolve('search-spaces/adam.json'));
  const run = (seed: number, n = 20) => {
    const rng = createRng(seed);
    return Array.from({ length: n }, () => sampleParams(space.params, rng));
  };

  it('samples every param, in written order, within its spec', () => {
    for (const p of run(1, 500)) {
      assert.deepEqual(Object.keys(p), ['learningRate', 'batchSize', 'decay', 'l2']);
      const lr = p.learningRate as number;
      assert.ok(lr >= 0.0001 && lr <= 0.1);
      assert.ok([32, 64, 128].includes(p.batchSize as number));
      assert.ok((p.decay as number) >= 0 && (p.decay as number) <= 0.1);
    }
  });

  it('same seed → same sequence; different seed → different sequence', () => {
    assert.deepEqual(run(7), run(7));
    assert.notDeepEqual(run(7), run(8));
  });
});
