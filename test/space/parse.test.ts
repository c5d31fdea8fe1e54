import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { formatPath, InputError } from '../../src/core/errors.js';
import { KNOWN_PARAMS, parseSpace, spaceSignature, type SearchSpace } from '../../src/space/index.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

/** A small valid space; each case below breaks one thing in a fresh copy. */
function base(): Obj {
  return {
    name: 'demo',
    objective: { metric: 'val_accuracy' },
    task: { data: { builtin: 'mnist' } },
    params: { learningRate: { type: 'float', min: 0.001, max: 0.1, log: true } },
    strategy: { type: 'random', trials: 3 },
  };
}

function obj(value: Json | undefined): Obj {
  assert.ok(value !== null && typeof value === 'object' && !Array.isArray(value), 'fixture navigation expects an object');
  return value;
}

/** Mutable access to a nested object of the fixture, e.g. at(s, 'params', 'learningRate'). */
function at(space: Obj, ...keys: string[]): Obj {
  return keys.reduce((o, k) => obj(o[k]), space);
}

/** The issues an InputError carries, with formatted paths. Fails if `fn` doesn't throw one. */
function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    assert.equal(e.exitCode, 2);
    return e.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  }
  assert.fail('expected an InputError, but nothing was thrown');
}

const FILE = resolve('test/fixtures/spaces/inline.json');

const MALFORMED: { name: string; edit: (s: Obj) => void; path: string; message: string }[] = [
  { name: 'log range with min 0', edit: (s) => void (at(s, 'params', 'learningRate').min = 0), path: 'params.learningRate.min', message: 'expected a number > 0 for a log-scale range, got 0' },
  { name: 'float min >= max', edit: (s) => void (at(s, 'params').decay = { type: 'float', min: 0.5, max: 0.1 }), path: 'params.decay.max', message: 'expected a number > min (0.5), got 0.1' },
  { name: 'int min > max', edit: (s) => void (at(s, 'params').units = { type: 'int', min: 64, max: 32 }), path: 'params.units.max', message: 'expected an integer >= min (64), got 32' },
  { name: 'step wider than the range', edit: (s) => void (at(s, 'params').decay = { type: 'float', min: 0.1, max: 0.4, step: 0.5 }), path: 'params.decay.step', message: 'expected a step <= max - min (0.3), got 0.5' },
  { name: 'log and step together', edit: (s) => void (at(s, 'params', 'learningRate').step = 0.01), path: 'params.learningRate.step', message: 'cannot be combined with "log"' },
  { name: 'step <= 0', edit: (s) => void (at(s, 'params').decay = { type: 'float', min: 0, max: 0.1, step: 0 }), path: 'params.decay.step', message: 'expected a number > 0, got 0' },
  { name: 'non-integer int bound', edit: (s) => void (at(s, 'params').units = { type: 'int', min: 1.5, max: 8 }), path: 'params.units.min', message: 'expected an integer, got 1.5' },
  { name: 'non-integer int step', edit: (s) => void (at(s, 'params').units = { type: 'int', min: 1, max: 8, step: 0.5 }), path: 'params.units.step', message: 'expected an integer' },
  { name: 'unknown distribution type', edit: (s) => void (at(s, 'params', 'learningRate').type = 'uniform'), path: 'params.learningRate.type', message: 'expected one of "float" | "int" | "categorical", got "uniform"' },
  { name: 'missing distribution type', edit: (s) => void delete at(s, 'params', 'learningRate').type, path: 'params.learningRate.type', message: 'required' },
  { name: 'null param', edit: (s) => void (at(s, 'params').learningRate = null), path: 'params.learningRate', message: 'expected a fixed value' },
  { name: 'unknown key in a range', edit: (s) => void (at(s, 'params', 'learningRate').mni = 1), path: 'params.learningRate.mni', message: 'unknown key "mni" (did you mean "min"?)' },
  { name: 'empty categorical', edit: (s) => void (at(s, 'params').batchSize = { type: 'categorical', values: [] }), path: 'params.batchSize.values', message: 'expected at least 1 item' },
  { name: 'duplicate categorical value', edit: (s) => void (at(s, 'params').batchSize = { type: 'categorical', values: [32, 64, 32] }), path: 'params.batchSize.values[2]', message: 'duplicate value 32 (also at values[0])' },
  { name: 'batchSize 0 in values', edit: (s) => void (at(s, 'params').batchSize = { type: 'categorical', values: [32, 0] }), path: 'params.batchSize.values[1]', message: 'expected an integer >= 1 for batchSize, got 0' },
  { name: 'batchSize as float range', edit: (s) => void (at(s, 'params').batchSize = { type: 'float', min: 16, max: 64 }), path: 'params.batchSize.type', message: 'use "int"' },
  { name: 'fixed learningRate <= 0', edit: (s) => void (at(s, 'params').learningRate = 0), path: 'params.learningRate', message: 'expected a number > 0 for learningRate, got 0' },
  { name: 'dropout 1', edit: (s) => void (at(s, 'params').dropout = 1), path: 'params.dropout', message: 'expected a number in [0, 1) for dropout, got 1' },
  { name: 'momentum range above 1', edit: (s) => void (at(s, 'params').momentum = { type: 'float', min: 0, max: 1.5 }), path: 'params.momentum.max', message: 'in [0, 1) for momentum, got 1.5' },
  { name: 'momentum 1 (the trainer refuses it)', edit: (s) => void (at(s, 'params').momentum = { type: 'categorical', values: [0.9, 1] }), path: 'params.momentum.values[1]', message: 'in [0, 1) for momentum, got 1' },
  { name: 'negative decay', edit: (s) => void (at(s, 'params').decay = -0.1), path: 'params.decay', message: 'expected a number >= 0 for decay' },
  { name: 'unknown optimizer value', edit: (s) => void (at(s, 'params').optimizer = { type: 'categorical', values: ['adam', 'lion'] }), path: 'params.optimizer.values[1]', message: 'expected one of "adam" | "sgd" | "rmsprop" for optimizer, got "lion"' },
  { name: 'optimizer as a range', edit: (s) => void (at(s, 'params').optimizer = { type: 'float', min: 0, max: 1 }), path: 'params.optimizer.type', message: 'use "categorical"' },
  { name: 'unknown metric', edit: (s) => void (at(s, 'objective').metric = 'f1'), path: 'objective.metric', message: 'expected "val_accuracy" | "val_loss" | "accuracy" | "loss", got "f1"' },
  { name: 'bad direction', edit: (s) => void (at(s, 'objective').direction = 'up'), path: 'objective.direction', message: 'expected "maximize" | "minimize", got "up"' },
  { name: 'missing objective', edit: (s) => void delete s.objective, path: 'objective', message: 'required: expected an object' },
  { name: 'unknown strategy', edit: (s) => void (at(s, 'strategy').type = 'cmaes'), path: 'strategy.type', message: 'expected one of "random" | "grid" | "successive-halving" | "hyperband" | "asha" | "tpe" | "bohb", got "cmaes"' },
  { name: 'zero trials', edit: (s) => void (at(s, 'strategy').trials = 0), path: 'strategy.trials', message: 'expected an integer >= 1, got 0' },
  { name: 'random without trials', edit: (s) => void delete at(s, 'strategy').trials, path: 'strategy.trials', message: 'required: expected an integer' },
  { name: 'grid over a float without step', edit: (s) => void (s.strategy = { type: 'grid' }), path: 'params.learningRate', message: 'grid search needs a "step" or "values"' },
  { name: 'bad name', edit: (s) => void (s.name = '-my study'), path: 'name', message: 'got "-my study"' },
  { name: 'fractional seed', edit: (s) => void (s.seed = 1.5), path: 'seed', message: 'expected an integer, got 1.5' },
  { name: 'top-level typo', edit: (s) => void (s.strategie = {}), path: 'strategie', message: 'did you mean "strategy"?' },
  { name: 'task typo', edit: (s) => void (at(s, 'task').modle = {}), path: 'task.modle', message: 'expected one of: data, validationSplit, model, optimizer, epochs' },
  { name: 'unknown builtin data set', edit: (s) => void (at(s, 'task').data = { builtin: 'cifar' }), path: 'task.data.builtin', message: 'expected "mnist", got "cifar"' },
  { name: 'data neither builtin nor csv', edit: (s) => void (at(s, 'task').data = {}), path: 'task.data', message: 'expected {"builtin": "mnist"} or {"csv": "<file>"}' },
  { name: 'mnist limit 0', edit: (s) => void (at(s, 'task', 'data').limit = 0), path: 'task.data.limit', message: 'expected an integer >= 1, got 0' },
  { name: 'validationSplit 1', edit: (s) => void (at(s, 'task').validationSplit = 1), path: 'task.validationSplit', message: 'expected a number < 1, got 1' },
  { name: 'epochs as a string', edit: (s) => void (at(s, 'task').epochs = '9'), path: 'task.epochs', message: 'expected an integer, got "9"' },
  { name: 'unknown model type', edit: (s) => void (at(s, 'task').model = { type: 'rnn' }), path: 'task.model.type', message: 'expected one of "mlp" | "cnn", got "rnn"' },
  { name: 'zero-unit hidden layer', edit: (s) => void (at(s, 'task').model = { type: 'mlp', hidden: [128, 0] }), path: 'task.model.hidden[1]', message: 'expected an integer >= 1, got 0' },
  {
    name: 'cnn with csv data',
    edit: (s) => void Object.assign(at(s, 'task'), { data: { csv: 'data/tiny.csv' }, model: { type: 'cnn' } }),
    path: 'task.model.type',
    message: 'a cnn model needs image data',
  },
];

describe('parseSpace: malformed spaces', () => {
  it('accepts the base fixture', () => {
    assert.equal(parseSpace(base(), FILE).name, 'demo');
  });

  for (const c of MALFORMED) {
    it(`${c.name} → ${c.path}`, () => {
      const space = base();
      c.edit(space);
      const issues = issuesOf(() => parseSpace(space, FILE));
      assert.equal(issues.length, 1, `one issue expected, got ${JSON.stringify(issues)}`);
      assert.equal(issues[0]!.path, c.path);
      assert.ok(issues[0]!.message.includes(c.message), `message ${JSON.stringify(issues[0]!.message)} should include ${JSON.stringify(c.message)}`);
    });
  }

  it('lists the known names for an unknown param, at the param path', () => {
    const space = base();
    at(space, 'params').learningrate = 0.1;
    const [issue, ...rest] = issuesOf(() => parseSpace(space, FILE));
    assert.equal(rest.length, 0);
    assert.equal(issue!.path, 'params.learningrate');
    assert.match(issue!.message, /unknown param "learningrate" \(did you mean "learningRate"\?\)/);
    for (const name of KNOWN_PARAMS) assert.ok(issue!.message.includes(name), `should list ${name}`);
  });

  it('reports every problem at once, and the error message lists them with paths', () => {
    const space = base();
    at(space, 'params', 'learningRate').min = 0;
    at(space, 'strategy').trials = -1;
    at(space, 'task').epochs = 0;
    space.extra = true;
    let error: unknown;
    try {
      parseSpace(space, FILE);
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof InputError);
    const paths = error.issues.map((i) => formatPath(i.path)).sort();
    assert.deepEqual(paths, ['extra', 'params.learningRate.min', 'strategy.trials', 'task.epochs']);
    assert.match(error.message, /4 problems/);
    assert.match(error.message, /at params\.learningRate\.min: expected a number > 0 for a log-scale range, got 0/);
  });

  it('refuses a non-object root', () => {
    assert.deepEqual(issuesOf(() => parseSpace([], FILE)), [{ path: '(root)', message: 'expected an object, got []' }]);
  });

  it('refuses a grid larger than the limit', () => {
    const space = base();
    space.strategy = { type: 'grid' };
    space.params = { units: { type: 'int', min: 1, max: 1000 }, batchSize: { type: 'int', min: 1, max: 1000 } };
    const issues = issuesOf(() => parseSpace(space, FILE));
    assert.equal(issues[0]!.path, 'params');
    assert.match(issues[0]!.message, /the grid has 1000000 points/);
  });
});

describe('parseSpace: normalisation', () => {
  it('fills defaults', () => {
    const space = base();
    at(space, 'params').units = { type: 'int', min: 16, max: 64 };
    at(space, 'params').batchSize = 64;
    const s = parseSpace(space, FILE);
    assert.deepEqual(s.task, {
      data: { builtin: 'mnist' },
      validationSplit: 0.2,
      model: { type: 'mlp', hidden: [128, 64] },
      optimizer: 'adam',
      epochs: 9,
    });
    assert.equal(s.seed, 0);
    assert.equal(s.objective.direction, 'maximize');
    assert.deepEqual(s.params.units, { type: 'int', min: 16, max: 64, log: false, step: 1 });
    assert.deepEqual(s.params.batchSize, { type: 'fixed', value: 64 });
    assert.deepEqual(s.params.learningRate, { type: 'float', min: 0.001, max: 0.1, log: true });
  });

  it('defaults direction from the metric', () => {
    for (const [metric, direction] of [['val_loss', 'minimize'], ['loss', 'minimize'], ['accuracy', 'maximize']] as const) {
      const space = base();
      at(space, 'objective').metric = metric;
      assert.equal(parseSpace(space, FILE).objective.direction, direction);
    }
    const explicit = base();
    at(explicit, 'objective').direction = 'minimize';
    assert.equal(parseSpace(explicit, FILE).objective.direction, 'minimize');
  });

  it('fills cnn defaults', () => {
    const space = base();
    at(space, 'task').model = { type: 'cnn' };
    assert.deepEqual(parseSpace(space, FILE).task.model, { type: 'cnn', filters: [8, 16], kernelSize: 3, hidden: [64] });
  });

  it('keeps params in written order, not schema order', () => {
    const space = base();
    space.params = { units: 32, dropout: 0.1, learningRate: 0.01, batchSize: 64 };
    assert.deepEqual(Object.keys(parseSpace(space, FILE).params), ['units', 'dropout', 'learningRate', 'batchSize']);
  });

  it('returns a deeply frozen space, and two parses share nothing', () => {
    const a = parseSpace(base(), FILE);
    assert.ok(Object.isFrozen(a) && Object.isFrozen(a.params) && Object.isFrozen(a.task.model));
    assert.equal(Reflect.set(a, 'seed', 1), false);
    assert.throws(() => (a.task.model.hidden as number[]).push(1), TypeError);
    const b = parseSpace(base(), FILE); // zod's default arrays must not have been frozen by the first parse
    assert.notEqual(a.task.model.hidden, b.task.model.hidden);
  });

  it('allows $schema and keeps it out of the result', () => {
    const space = base();
    space.$schema = './space.schema.json';
    assert.ok(!('$schema' in parseSpace(space, FILE)));
  });
});

describe('spaceSignature', () => {
  const sig = (edit: (s: Obj) => void = () => {}): string => {
    const space = base();
    edit(space);
    return spaceSignature(parseSpace(space, FILE));
  };

  it('ignores name, seed, trial count and key order', () => {
    assert.equal(sig(), sig((s) => Object.assign(s, { name: 'other', seed: 5, strategy: { trials: 99, type: 'random' } })));
    const reordered = (s: Obj): void => {
      s.params = { learningRate: { log: true, max: 0.1, min: 0.001, type: 'float' } };
    };
    assert.equal(sig(), sig(reordered));
  });

  it('changes with params, task, objective and strategy type', () => {
    const s0 = sig();
    assert.notEqual(s0, sig((s) => void (at(s, 'params', 'learningRate').max = 0.2)));
    assert.notEqual(s0, sig((s) => void (at(s, 'task').epochs = 3)));
    assert.notEqual(s0, sig((s) => void (at(s, 'objective').metric = 'val_loss')));
    const categorical = (s: Obj): void => void (at(s, 'params').learningRate = { type: 'categorical', values: [0.01, 0.1] });
    const grid = (s: Obj): void => {
      categorical(s);
      s.strategy = { type: 'grid' };
    };
    assert.notEqual(sig(categorical), sig(grid));
  });
});

describe('shipped search spaces', () => {
  const dir = resolve('search-spaces');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'space.schema.json');

  it('includes adam, sgd-momentum, grid, sha, hyperband and asha', () => {
    for (const f of ['adam.json', 'sgd-momentum.json', 'grid.json', 'sha.json', 'hyperband.json', 'asha.json']) assert.ok(files.includes(f), f);
  });

  for (const f of files) {
    it(`${f} parses and points at the schema`, () => {
      const raw: unknown = JSON.parse(readFileSync(resolve(dir, f), 'utf8'));
      const space: SearchSpace = parseSpace(raw, resolve(dir, f));
      assert.ok(space.name.length > 0);
      assert.equal((raw as { $schema?: unknown }).$schema, './space.schema.json');
    });
  }

  it('adam.json is the documented contract', () => {
    const space = parseSpace(JSON.parse(readFileSync(resolve(dir, 'adam.json'), 'utf8')), resolve(dir, 'adam.json'));
    assert.deepEqual(space, {
      name: 'adam-mnist',
      objective: { metric: 'val_accuracy', direction: 'maximize' },
      task: { data: { builtin: 'mnist' }, validationSplit: 0.2, model: { type: 'mlp', hidden: [128, 64] }, optimizer: 'adam', epochs: 9 },
      params: {
        learningRate: { type: 'float', min: 0.0001, max: 0.1, log: true },
        batchSize: { type: 'categorical', values: [32, 64, 128] },
        decay: { type: 'float', min: 0, max: 0.1, log: false },
        l2: { type: 'float', min: 0.000001, max: 0.01, log: true },
      },
      strategy: { type: 'random', trials: 12 },
      seed: 7,
    });
  });
});
