/** PED-ANOVA and fANOVA on functions whose important params are known. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRng, type Rng } from '../../src/core/rng.js';
import type { Direction, ParamValue } from '../../src/core/types.js';
import { computeImportance, MIN_TRIALS, NotEnoughTrialsError, type ImportanceInput, type ImportanceScores, type ParamInfo } from '../../src/importance/index.js';
import type { ParamSpec } from '../../src/space/types.js';

const unit: ParamSpec = { type: 'float', min: 0, max: 1, log: false };

/** `n` trials with params drawn uniformly (log ranges in log space) and `f` as the objective. */
function sample(
  specs: Record<string, ParamSpec>,
  f: (p: Record<string, ParamValue>, rng: Rng) => number,
  n = 400,
  seed = 7,
  direction: Direction = 'minimize',
): ImportanceInput {
  const rng = createRng(seed);
  const params: ParamInfo[] = Object.entries(specs).map(([name, spec]) => ({ name, spec }));
  const draw = (spec: ParamSpec): ParamValue => {
    switch (spec.type) {
      case 'float':
        return spec.log ? Math.exp(Math.log(spec.min) + rng() * Math.log(spec.max / spec.min)) : spec.min + rng() * (spec.max - spec.min);
      case 'int':
        return spec.min + spec.step * Math.floor(rng() * (Math.floor((spec.max - spec.min) / spec.step) + 1));
      case 'categorical':
        return spec.values[Math.floor(rng() * spec.values.length)]!;
      case 'fixed':
        return spec.value;
    }
  };
  const trials = Array.from({ length: n }, () => {
    const p: Record<string, ParamValue> = {};
    for (const { name, spec } of params) p[name] = draw(spec);
    return { params: p, value: f(p, rng) };
  });
  return { params, trials, direction };
}

const num = (p: Record<string, ParamValue>, k: string): number => p[k] as number;

function assertFractions(scores: ImportanceScores, names: readonly string[]): void {
  assert.deepEqual(Object.keys(scores).sort(), [...names].sort());
  const values = Object.values(scores);
  for (const v of values) assert.ok(Number.isFinite(v) && v >= 0 && v <= 1, `score ${v}`);
  assert.ok(Math.abs(values.reduce((a, b) => a + b, 0) - 1) < 1e-9, `scores sum to 1: ${JSON.stringify(scores)}`);
  // Largest first.
  for (let i = 1; i < values.length; i++) assert.ok(values[i - 1]! >= values[i]!, JSON.stringify(scores));
}

describe('importance', () => {
  test('only x1 matters: x1 gets at least 0.8 of both estimates (float, log float, int and categorical noise)', () => {
    const input = sample(
      { x1: unit, x2: unit, lr: { type: 'float', min: 1e-5, max: 1, log: true }, units: { type: 'int', min: 8, max: 256, log: false, step: 8 }, act: { type: 'categorical', values: ['relu', 'tanh', 'elu'] } },
      (p) => (num(p, 'x1') - 0.3) ** 2,
    );
    const { pedAnova, fanova, trials } = computeImportance(input, { seed: 1 });
    assert.equal(trials, 400);
    for (const [name, scores] of [['PED-ANOVA', pedAnova], ['fANOVA', fanova]] as const) {
      assertFractions(scores, ['x1', 'x2', 'lr', 'units', 'act']);
      assert.ok(scores['x1']! >= 0.8, `${name}: ${JSON.stringify(scores)}`);
    }
  });

  test('two equally important params each get 0.35–0.65 of both estimates', () => {
    const input = sample({ x1: unit, x2: unit, x3: unit, x4: unit }, (p) => (num(p, 'x1') - 0.5) ** 2 + (num(p, 'x2') - 0.5) ** 2, 600);
    const { pedAnova, fanova } = computeImportance(input, { seed: 1 });
    for (const [name, scores] of [['PED-ANOVA', pedAnova], ['fANOVA', fanova]] as const) {
      for (const x of ['x1', 'x2']) assert.ok(scores[x]! >= 0.35 && scores[x]! <= 0.65, `${name} ${x}: ${JSON.stringify(scores)}`);
    }
  });

  test('a categorical param that decides the objective gets at least 0.8 of both estimates', () => {
    const input = sample(
      { optimizer: { type: 'categorical', values: ['adam', 'sgd', 'rmsprop', 'adagrad'] }, x1: unit, x2: unit },
      (p, rng) => (p['optimizer'] === 'sgd' ? 0 : 1) + 0.05 * rng(),
    );
    const { pedAnova, fanova } = computeImportance(input, { seed: 1 });
    assert.ok(pedAnova['optimizer']! >= 0.8, JSON.stringify(pedAnova));
    assert.ok(fanova['optimizer']! >= 0.8, JSON.stringify(fanova));
  });

  test('a log param is read in log space: a learning rate that matters by its exponent gets at least 0.8', () => {
    // Good near 1e-3, over 1e-6..1. Read linearly, nearly every sample sits above 0.01 where the estimators see a
    // flat slope, and lr falls below 0.8 (measured: 0.79 PED-ANOVA, 0.73 fANOVA).
    const input = sample(
      { lr: { type: 'float', min: 1e-6, max: 1, log: true }, x1: unit, x2: unit },
      (p) => (Math.log10(num(p, 'lr')) + 3) ** 2,
    );
    const { pedAnova, fanova } = computeImportance(input, { seed: 1 });
    assert.ok(pedAnova['lr']! >= 0.8, JSON.stringify(pedAnova));
    assert.ok(fanova['lr']! >= 0.8, JSON.stringify(fanova));
  });

  test('maximize: the param that drives the value up is the important one', () => {
    const input = sample({ x1: unit, x2: unit, x3: unit }, (p) => -((num(p, 'x2') - 0.7) ** 2), 400, 3, 'maximize');
    const { pedAnova, fanova } = computeImportance(input, { seed: 1 });
    assert.ok(pedAnova['x2']! >= 0.8, JSON.stringify(pedAnova));
    assert.ok(fanova['x2']! >= 0.8, JSON.stringify(fanova));
  });

  test('trials missing a param (a conditional space) still give finite fractions, and x1 still leads', () => {
    const base = sample(
      { x1: unit, optimizer: { type: 'categorical', values: ['adam', 'sgd'] }, momentum: unit, x2: unit },
      (p) => (num(p, 'x1') - 0.3) ** 2,
      500,
    );
    // momentum exists only with sgd, as a conditional space would store it.
    const trials = base.trials.map((t) => {
      if (t.params['optimizer'] === 'sgd') return t;
      const { momentum: _dropped, ...rest } = t.params;
      return { ...t, params: rest };
    });
    assert.ok(trials.some((t) => t.params['momentum'] === undefined));
    const { pedAnova, fanova } = computeImportance({ ...base, trials }, { seed: 1 });
    for (const scores of [pedAnova, fanova]) {
      assertFractions(scores, ['x1', 'optimizer', 'momentum', 'x2']);
      assert.ok(scores['x1']! >= 0.8, JSON.stringify(scores));
    }
  });

  test('a categorical absent from some trials treats "absent" as its own choice', () => {
    // The objective is good exactly when `act` is absent: only the absent choice can explain it.
    const base = sample({ act: { type: 'categorical', values: ['relu', 'tanh'] }, x1: unit, x2: unit }, () => 0, 400);
    const rng = createRng(11);
    const trials = base.trials.map((t) => {
      if (rng() < 0.5) return { params: t.params, value: 1 + 0.01 * rng() };
      const { act: _dropped, ...rest } = t.params;
      return { params: rest, value: 0.01 * rng() };
    });
    const { pedAnova, fanova } = computeImportance({ ...base, trials }, { seed: 1 });
    assert.ok(pedAnova['act']! >= 0.8, JSON.stringify(pedAnova));
    assert.ok(fanova['act']! >= 0.8, JSON.stringify(fanova));
  });

  test('fANOVA matches the analytic variance shares of additive functions (within 0.03)', () => {
    // x1 + 2·x2 over the unit square: Var = 1/12 and 4/12, so 0.2 and 0.8.
    const linear = sample({ x1: unit, x2: unit, x3: unit }, (p) => num(p, 'x1') + 2 * num(p, 'x2'), 2000, 2);
    const a = computeImportance(linear, { seed: 1 }).fanova;
    assert.ok(Math.abs(a['x1']! - 0.2) < 0.03 && Math.abs(a['x2']! - 0.8) < 0.03, JSON.stringify(a));
    // 1[c = a] + x over 3 equally likely choices: Var = 2/9 and 1/12, so 8/11 ≈ 0.727 and 3/11 ≈ 0.273.
    const mixed = sample({ c: { type: 'categorical', values: ['a', 'b', 'c'] }, x: unit }, (p) => (p['c'] === 'a' ? 1 : 0) + num(p, 'x'), 2000, 2);
    const b = computeImportance(mixed, { seed: 1 }).fanova;
    assert.ok(Math.abs(b['c']! - 8 / 11) < 0.03 && Math.abs(b['x']! - 3 / 11) < 0.03, JSON.stringify(b));
  });

  test('the same seed gives the same scores; another seed grows another forest', () => {
    const input = sample({ x1: unit, x2: unit, x3: unit }, (p, rng) => num(p, 'x1') + 0.5 * num(p, 'x2') + 0.1 * rng(), 300);
    const a = computeImportance(input, { seed: 5 });
    const b = computeImportance(input, { seed: 5 });
    assert.deepEqual(a, b);
    const c = computeImportance(input, { seed: 6 });
    assert.deepEqual(c.pedAnova, a.pedAnova, 'PED-ANOVA has no randomness');
    assert.notDeepEqual(c.fanova, a.fanova);
  });

  test('fixed params and single-value ranges get no score; a constant objective gives all zeros, not NaN', () => {
    const input = sample(
      { x1: unit, x2: unit, only: { type: 'fixed', value: 3 }, one: { type: 'int', min: 4, max: 4, log: false, step: 1 } },
      () => 1.5,
      50,
    );
    const { pedAnova, fanova } = computeImportance(input);
    assert.deepEqual(pedAnova, { x1: 0, x2: 0 });
    assert.deepEqual(fanova, { x1: 0, x2: 0 });
  });

  test('non-finite values are left out; fewer than MIN_TRIALS usable trials throw NotEnoughTrialsError (exit 2)', () => {
    const input = sample({ x1: unit, x2: unit }, (p) => num(p, 'x1'), MIN_TRIALS + 2);
    const broken = { ...input, trials: input.trials.map((t, i) => (i < 3 ? { ...t, value: i === 0 ? Number.NaN : Number.POSITIVE_INFINITY } : t)) };
    assert.throws(
      () => computeImportance(broken),
      (e: unknown) => e instanceof NotEnoughTrialsError && e.exitCode === 2 && e.have === MIN_TRIALS - 1 && /at least 10 .*there are 9/.test(e.message),
    );
    assert.equal(computeImportance(input).trials, MIN_TRIALS + 2);
  });
});
