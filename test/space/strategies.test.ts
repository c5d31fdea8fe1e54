import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { formatPath, InputError } from '../../src/core/errors.js';
import { FIDELITY_ALIASES, isFidelityStrategy, loadSpace, parseSpace, rungBudgets, spaceJsonSchema, spaceSignature, type StrategySpec } from '../../src/space/index.js';

import { FILE, space, type Obj } from './strategy-helpers.js';

function strategyOf(strategy: Obj, task: Obj = {}): StrategySpec {
  return parseSpace(space(strategy, task), FILE).strategy;
}

function issuesOf(strategy: Obj, task: Obj = {}): { path: string; message: string }[] {
  try {
    parseSpace(space(strategy, task), FILE);
  } catch (e) {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    return e.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  }
  assert.fail('expected an InputError, but nothing was thrown');
}

describe('multi-fidelity strategies: defaults', () => {
  it('successive-halving: eta 3, minEpochs 1, maxEpochs from task.epochs, no trials', () => {
    assert.deepEqual(strategyOf({ type: 'successive-halving' }), { type: 'successive-halving', eta: 3, minEpochs: 1, maxEpochs: 9 });
    assert.deepEqual(strategyOf({ type: 'successive-halving' }, { epochs: 27 }), { type: 'successive-halving', eta: 3, minEpochs: 1, maxEpochs: 27 });
    assert.ok(!('trials' in strategyOf({ type: 'successive-halving' })));
  });

  it('successive-halving keeps trials', () => {
    assert.deepEqual(strategyOf({ type: 'successive-halving', eta: 3, minEpochs: 1, maxEpochs: 27, trials: 27 }), {
      type: 'successive-halving', eta: 3, minEpochs: 1, maxEpochs: 27, trials: 27,
    });
  });

  it('hyperband: iterations default 1', () => {
    assert.deepEqual(strategyOf({ type: 'hyperband' }), { type: 'hyperband', eta: 3, minEpochs: 1, maxEpochs: 9, iterations: 1 });
    assert.deepEqual(strategyOf({ type: 'hyperband', eta: 3, minEpochs: 1, maxEpochs: 81, iterations: 2 }), {
      type: 'hyperband', eta: 3, minEpochs: 1, maxEpochs: 81, iterations: 2,
    });
  });

  it('asha: trials required', () => {
    assert.deepEqual(strategyOf({ type: 'asha', trials: 100 }), { type: 'asha', eta: 3, minEpochs: 1, maxEpochs: 9, trials: 100 });
    assert.deepEqual(issuesOf({ type: 'asha' }), [{ path: 'strategy.trials', message: 'required: expected an integer' }]);
  });

  it('maxEpochs wins over a different task.epochs, which is kept as written', () => {
    const s = parseSpace(space({ type: 'asha', trials: 4, maxEpochs: 27 }, { epochs: 2 }), FILE);
    assert.deepEqual(s.strategy, { type: 'asha', eta: 3, minEpochs: 1, maxEpochs: 27, trials: 4 });
    assert.equal(s.task.epochs, 2);
  });

  it('the normalised strategy is frozen and carries no alias keys', () => {
    const s = parseSpace(space({ type: 'hyperband', reductionFactor: 2, grace: 2, maxT: 16 }), FILE);
    assert.ok(Object.isFrozen(s.strategy));
    assert.deepEqual(Object.keys(s.strategy).sort(), ['eta', 'iterations', 'maxEpochs', 'minEpochs', 'type']);
  });
});

describe('multi-fidelity strategies: aliases', () => {
  const values = { eta: 2, minEpochs: 2, maxEpochs: 32 } as const;
  for (const type of ['successive-halving', 'hyperband', 'asha'] as const) {
    for (const [field, aliases] of Object.entries(FIDELITY_ALIASES) as [keyof typeof values, readonly string[]][]) {
      for (const alias of aliases) {
        it(`${type}: ${alias} → ${field}`, () => {
          const written: Obj = { type, ...(type === 'hyperband' ? {} : { trials: 5 }), ...values };
          delete written[field];
          written[alias] = values[field];
          const s = strategyOf(written);
          assert.equal(s.type, type);
          assert.ok(isFidelityStrategy(s));
          assert.deepEqual({ eta: s.eta, minEpochs: s.minEpochs, maxEpochs: s.maxEpochs }, values);
        });
      }
    }
  }

  it('the alias table is the documented one', () => {
    assert.deepEqual(FIDELITY_ALIASES, {
      eta: ['reductionFactor', 'reduction'],
      minEpochs: ['grace', 'gracePeriod', 'minResource', 'minT'],
      maxEpochs: ['maxT', 'maxResource'],
    });
  });

  it('Ray Tune style: reductionFactor, gracePeriod, maxT', () => {
    assert.deepEqual(strategyOf({ type: 'asha', trials: 50, reductionFactor: 4, gracePeriod: 1, maxT: 64 }), {
      type: 'asha', eta: 4, minEpochs: 1, maxEpochs: 64, trials: 50,
    });
  });

  it('Optuna style: minResource, maxResource, reductionFactor', () => {
    assert.deepEqual(strategyOf({ type: 'hyperband', minResource: 1, maxResource: 81, reductionFactor: 3 }), {
      type: 'hyperband', eta: 3, minEpochs: 1, maxEpochs: 81, iterations: 1,
    });
  });

  it('an alias and its canonical name together: one issue at the alias, naming both paths', () => {
    assert.deepEqual(issuesOf({ type: 'hyperband', eta: 3, reductionFactor: 3 }), [
      { path: 'strategy.reductionFactor', message: 'both strategy.eta and strategy.reductionFactor set eta ("reductionFactor" is an alias of "eta"); keep one' },
    ]);
    assert.deepEqual(issuesOf({ type: 'asha', trials: 5, minEpochs: 1, gracePeriod: 2 }), [
      { path: 'strategy.gracePeriod', message: 'both strategy.minEpochs and strategy.gracePeriod set minEpochs ("gracePeriod" is an alias of "minEpochs"); keep one' },
    ]);
    assert.deepEqual(issuesOf({ type: 'successive-halving', maxEpochs: 27, maxT: 27 }), [
      { path: 'strategy.maxT', message: 'both strategy.maxEpochs and strategy.maxT set maxEpochs ("maxT" is an alias of "maxEpochs"); keep one' },
    ]);
  });

  it('two aliases of one field together', () => {
    assert.deepEqual(issuesOf({ type: 'hyperband', grace: 1, minT: 1 }), [
      { path: 'strategy.minT', message: 'both strategy.grace and strategy.minT set minEpochs ("grace" and "minT" are aliases of "minEpochs"); keep one' },
    ]);
    assert.deepEqual(issuesOf({ type: 'hyperband', reductionFactor: 3, reduction: 3 }), [
      { path: 'strategy.reduction', message: 'both strategy.reductionFactor and strategy.reduction set eta ("reductionFactor" and "reduction" are aliases of "eta"); keep one' },
    ]);
  });

  it('three names for one field: one issue per extra name', () => {
    assert.deepEqual(
      issuesOf({ type: 'hyperband', minEpochs: 1, grace: 1, minT: 1 }).map((i) => i.path),
      ['strategy.grace', 'strategy.minT'],
    );
  });

  it('suggests the camelCase alias for a snake_case key', () => {
    const issues = issuesOf({ type: 'asha', trials: 5, grace_period: 2 });
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.path, 'strategy.grace_period');
    assert.match(issues[0]!.message, /^unknown key "grace_period" \(did you mean "gracePeriod"\?\)/);
  });
});

const MALFORMED: { name: string; strategy: Obj; task?: Obj; path: string; message: string }[] = [
  { name: 'fractional eta', strategy: { type: 'hyperband', eta: 1.5 }, path: 'strategy.eta', message: 'expected an integer >= 2 (a whole eta keeps every rung budget a whole number of epochs), got 1.5' },
  { name: 'eta 1', strategy: { type: 'successive-halving', eta: 1 }, path: 'strategy.eta', message: 'expected an integer >= 2 (a whole eta keeps every rung budget a whole number of epochs), got 1' },
  { name: 'eta 2.5', strategy: { type: 'asha', trials: 5, eta: 2.5, maxEpochs: 27 }, path: 'strategy.eta', message: 'expected an integer >= 2 (a whole eta keeps every rung budget a whole number of epochs), got 2.5' },
  { name: 'bad eta under an alias', strategy: { type: 'hyperband', reduction: 0 }, path: 'strategy.reduction', message: 'expected an integer >= 2 (a whole eta keeps every rung budget a whole number of epochs), got 0' },
  { name: 'eta as a string', strategy: { type: 'hyperband', eta: '3' }, path: 'strategy.eta', message: 'expected an integer, got "3"' },
  { name: 'minEpochs 0', strategy: { type: 'hyperband', minEpochs: 0 }, path: 'strategy.minEpochs', message: 'expected an integer >= 1, got 0' },
  { name: 'fractional minEpochs', strategy: { type: 'asha', trials: 5, minEpochs: 1.5 }, path: 'strategy.minEpochs', message: 'expected an integer, got 1.5' },
  { name: 'bad minEpochs under an alias', strategy: { type: 'asha', trials: 5, gracePeriod: -1 }, path: 'strategy.gracePeriod', message: 'expected an integer >= 1, got -1' },
  { name: 'maxEpochs 0', strategy: { type: 'hyperband', maxEpochs: 0 }, path: 'strategy.maxEpochs', message: 'expected an integer >= 1, got 0' },
  { name: 'fractional maxEpochs', strategy: { type: 'hyperband', maxEpochs: 9.5 }, path: 'strategy.maxEpochs', message: 'expected an integer, got 9.5' },
  { name: 'maxEpochs below minEpochs', strategy: { type: 'hyperband', minEpochs: 3, maxEpochs: 2 }, path: 'strategy.maxEpochs', message: 'expected an integer >= minEpochs × eta = 3 × 3 = 9 (at least two rungs), got 2' },
  { name: 'maxEpochs equal to minEpochs', strategy: { type: 'successive-halving', minEpochs: 4, maxEpochs: 4 }, path: 'strategy.maxEpochs', message: 'expected an integer >= minEpochs × eta = 4 × 3 = 12 (at least two rungs), got 4' },
  { name: 'one rung only', strategy: { type: 'asha', trials: 5, eta: 4, maxEpochs: 3 }, path: 'strategy.maxEpochs', message: 'expected an integer >= minEpochs × eta = 1 × 4 = 4 (at least two rungs), got 3' },
  { name: 'one rung, with aliases', strategy: { type: 'asha', trials: 5, reductionFactor: 2, grace: 3, maxT: 5 }, path: 'strategy.maxT', message: 'expected an integer >= grace × reductionFactor = 3 × 2 = 6 (at least two rungs), got 5' },
  {
    name: 'task.epochs too small when maxEpochs is omitted',
    strategy: { type: 'hyperband' },
    task: { epochs: 2 },
    path: 'task.epochs',
    message: 'expected an integer >= minEpochs × eta = 1 × 3 = 3 (at least two rungs), got 2: strategy.maxEpochs is not given, so task.epochs is the top rung budget; raise it or set strategy.maxEpochs',
  },
  {
    name: 'task.epochs too small for an aliased minEpochs',
    strategy: { type: 'successive-halving', minResource: 4 },
    path: 'task.epochs',
    message: 'expected an integer >= minResource × eta = 4 × 3 = 12 (at least two rungs), got 9: strategy.maxEpochs is not given, so task.epochs is the top rung budget; raise it or set strategy.maxEpochs',
  },
  { name: 'hyperband iterations 0', strategy: { type: 'hyperband', iterations: 0 }, path: 'strategy.iterations', message: 'expected an integer >= 1, got 0' },
  { name: 'successive-halving trials 0', strategy: { type: 'successive-halving', trials: 0 }, path: 'strategy.trials', message: 'expected an integer >= 1, got 0' },
  { name: 'asha fractional trials', strategy: { type: 'asha', trials: 2.5 }, path: 'strategy.trials', message: 'expected an integer, got 2.5' },
  { name: 'trials on hyperband', strategy: { type: 'hyperband', trials: 10 }, path: 'strategy.trials', message: 'unknown key "trials"' },
];

describe('multi-fidelity strategies: malformed', () => {
  for (const c of MALFORMED) {
    it(`${c.name} → ${c.path}`, () => {
      const issues = issuesOf(c.strategy, c.task);
      assert.equal(issues.length, 1, `one issue expected, got ${JSON.stringify(issues)}`);
      assert.equal(issues[0]!.path, c.path);
      assert.ok(issues[0]!.message.startsWith(c.message), `message ${JSON.stringify(issues[0]!.message)} should start with ${JSON.stringify(c.message)}`);
    });
  }

  it('accepts exactly two rungs', () => {
    assert.deepEqual(strategyOf({ type: 'hyperband', minEpochs: 3, maxEpochs: 9 }), { type: 'hyperband', eta: 3, minEpochs: 3, maxEpochs: 9, iterations: 1 });
    assert.deepEqual(strategyOf({ type: 'hyperband' }, { epochs: 3 }), { type: 'hyperband', eta: 3, minEpochs: 1, maxEpochs: 3, iterations: 1 });
  });

  it('reports a bad eta and a conflict together, but not the rung check that depends on them', () => {
    const issues = issuesOf({ type: 'hyperband', eta: 1, reductionFactor: 3, maxEpochs: 2 });
    assert.deepEqual(issues.map((i) => i.path).sort(), ['strategy.eta', 'strategy.reductionFactor']);
  });
});

describe('multi-fidelity strategies: signature', () => {
  const sig = (strategy: Obj, task: Obj = {}): string => spaceSignature(parseSpace(space(strategy, task), FILE));

  it('ignores trial counts, iterations and which name a field was given under', () => {
    assert.equal(sig({ type: 'asha', trials: 10 }), sig({ type: 'asha', trials: 50 }));
    assert.equal(sig({ type: 'successive-halving' }), sig({ type: 'successive-halving', trials: 27 }));
    assert.equal(sig({ type: 'hyperband' }), sig({ type: 'hyperband', iterations: 3 }));
    assert.equal(sig({ type: 'hyperband', eta: 2, minEpochs: 2, maxEpochs: 16 }), sig({ type: 'hyperband', reductionFactor: 2, gracePeriod: 2, maxT: 16 }));
    assert.equal(sig({ type: 'hyperband' }), sig({ type: 'hyperband', eta: 3, minEpochs: 1, maxEpochs: 9 }));
  });

  it('changes with the strategy type and with eta, minEpochs and maxEpochs', () => {
    const s0 = sig({ type: 'hyperband' });
    assert.notEqual(s0, sig({ type: 'asha', trials: 10 }));
    assert.notEqual(s0, sig({ type: 'successive-halving' }));
    assert.notEqual(s0, sig({ type: 'hyperband', eta: 2 }));
    assert.notEqual(s0, sig({ type: 'hyperband', minEpochs: 3 }));
    assert.notEqual(s0, sig({ type: 'hyperband', maxEpochs: 27 }));
  });

  it('grid and random signatures have no fidelity part (unchanged for stored studies)', () => {
    const random: unknown = JSON.parse(sig({ type: 'random', trials: 3 }));
    assert.deepEqual(Object.keys(random as object), ['objective', 'params', 'strategy', 'task']);
    assert.equal((random as { strategy: unknown }).strategy, 'random');
    const hb = JSON.parse(sig({ type: 'hyperband' })) as { fidelity: unknown; strategy: unknown };
    assert.deepEqual(hb.fidelity, { eta: 3, maxEpochs: 9, minEpochs: 1 });
    assert.equal(hb.strategy, 'hyperband');
  });
});

describe('multi-fidelity example spaces', () => {
  const load = (f: string) => loadSpace(resolve('search-spaces', f));

  it('sha.json: 9 × 1 + 3 × 3 + 1 × 9 epochs', () => {
    const s = load('sha.json');
    assert.equal(s.name, 'sha-mnist');
    assert.deepEqual(s.strategy, { type: 'successive-halving', eta: 3, minEpochs: 1, maxEpochs: 9, trials: 9 });
    assert.ok(isFidelityStrategy(s.strategy));
    assert.deepEqual(rungBudgets(s.strategy), [1, 3, 9]);
  });

  it('hyperband.json', () => {
    const s = load('hyperband.json');
    assert.equal(s.name, 'hyperband-mnist');
    assert.deepEqual(s.strategy, { type: 'hyperband', eta: 3, minEpochs: 1, maxEpochs: 9, iterations: 1 });
  });

  it('asha.json', () => {
    const s = load('asha.json');
    assert.equal(s.name, 'asha-mnist');
    assert.deepEqual(s.strategy, { type: 'asha', eta: 3, minEpochs: 1, maxEpochs: 9, trials: 20 });
  });

  it('share adam.json\'s task and params, with distinct names', () => {
    const adam = load('adam.json');
    const spaces = ['sha.json', 'hyperband.json', 'asha.json'].map(load);
    for (const s of spaces) {
      assert.deepEqual(s.params, adam.params, s.name);
      assert.deepEqual(s.task, adam.task, s.name);
      assert.deepEqual(s.objective, adam.objective, s.name);
    }
    assert.equal(new Set([adam, ...spaces].map((s) => s.name)).size, 4);
  });
});

describe('space.schema.json: multi-fidelity strategies', () => {
  type Member = { properties: Record<string, { description?: string; default?: unknown; minimum?: number }>; required?: string[]; description?: string };
  const members = (): Member[] => {
    const strategy = (spaceJsonSchema().properties as Record<string, { oneOf?: Member[]; anyOf?: Member[] }>).strategy!;
    return strategy.oneOf ?? strategy.anyOf ?? [];
  };
  const member = (type: string): Member => {
    const m = members().find((x) => (x.properties.type as { const?: string } | undefined)?.const === type);
    assert.ok(m, `no schema member for ${type}`);
    return m;
  };

  it('documents each strategy and accepts every alias, documented as an alias', () => {
    for (const type of ['successive-halving', 'hyperband', 'asha']) {
      const m = member(type);
      assert.ok(m.description && m.description.length > 40, type);
      for (const [field, aliases] of Object.entries(FIDELITY_ALIASES)) {
        assert.ok(m.properties[field]?.description, `${type}.${field}`);
        for (const alias of aliases) assert.match(m.properties[alias]?.description ?? '', new RegExp(`^Alias of ${field}\\b`), `${type}.${alias}`);
      }
      assert.equal(m.properties.eta?.default, 3);
      assert.equal(m.properties.eta?.minimum, 2);
      assert.equal(m.properties.minEpochs?.default, 1);
    }
  });

  it('requires trials for asha only, and defaults hyperband iterations to 1', () => {
    assert.deepEqual(member('asha').required, ['type', 'trials']);
    assert.deepEqual(member('successive-halving').required, ['type']);
    assert.deepEqual(member('hyperband').required, ['type']);
    assert.equal(member('hyperband').properties.iterations?.default, 1);
  });
});
