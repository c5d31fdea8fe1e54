import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { formatPath, InputError } from '../../src/core/errors.js';
import { BOHB_DEFAULTS, isFidelityStrategy, loadSpace, parseSpace, rungBudgets, spaceJsonSchema, spaceSignature, TPE_DEFAULTS, type StrategySpec } from '../../src/space/index.js';

import { FILE, space, type Obj } from './strategy-helpers.js';

const strategyOf = (strategy: Obj, task: Obj = {}): StrategySpec => parseSpace(space(strategy, task), FILE).strategy;

function issuesOf(strategy: Obj, task: Obj = {}): { path: string; message: string }[] {
  try {
    parseSpace(space(strategy, task), FILE);
  } catch (e) {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    return e.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  }
  assert.fail('expected an InputError, but nothing was thrown');
}

describe('tpe strategy block', () => {
  it('fills the defaults: startup 10, candidates 24, gamma 0.1, multivariate', () => {
    assert.deepEqual(TPE_DEFAULTS, { startup: 10, candidates: 24, gamma: 0.1, multivariate: true });
    assert.deepEqual(strategyOf({ type: 'tpe', trials: 50 }), { type: 'tpe', trials: 50, ...TPE_DEFAULTS });
  });

  it('keeps what the file says', () => {
    const written = { type: 'tpe', trials: 100, startup: 10, candidates: 24, gamma: 0.25, multivariate: false };
    assert.deepEqual(strategyOf(written), written);
  });

  it('is not a multi-fidelity strategy: trials train task.epochs, and the signature has no ladder', () => {
    const s = strategyOf({ type: 'tpe', trials: 5 });
    assert.equal(isFidelityStrategy(s), false);
    const sig = JSON.parse(spaceSignature(parseSpace(space({ type: 'tpe', trials: 5 }), FILE))) as Record<string, unknown>;
    assert.equal(sig.strategy, 'tpe');
    assert.equal(sig.fidelity, undefined);
    assert.equal(spaceSignature(parseSpace(space({ type: 'tpe', trials: 5 }), FILE)), spaceSignature(parseSpace(space({ type: 'tpe', trials: 9, gamma: 0.2 }), FILE)));
  });

  const MALFORMED: [Obj, string, string][] = [
    [{ type: 'tpe' }, 'strategy.trials', 'required: expected an integer'],
    [{ type: 'tpe', trials: 5, gamma: 0 }, 'strategy.gamma', 'expected a number > 0, got 0'],
    [{ type: 'tpe', trials: 5, gamma: 1.5 }, 'strategy.gamma', 'expected a number <= 1, got 1.5'],
    [{ type: 'tpe', trials: 5, candidates: 0 }, 'strategy.candidates', 'expected an integer >= 1, got 0'],
    [{ type: 'tpe', trials: 5, startup: 2.5 }, 'strategy.startup', 'expected an integer, got 2.5'],
    [{ type: 'tpe', trials: 5, multivariate: 'yes' }, 'strategy.multivariate', 'expected a boolean'],
    [{ type: 'tpe', trials: 5, eta: 3 }, 'strategy.eta', 'unknown key "eta"'],
  ];
  for (const [strategy, path, message] of MALFORMED) {
    it(`refuses ${JSON.stringify(strategy)} at ${path}`, () => {
      const issues = issuesOf(strategy);
      assert.equal(issues.length, 1, JSON.stringify(issues));
      assert.equal(issues[0]!.path, path);
      assert.ok(issues[0]!.message.startsWith(message), issues[0]!.message);
    });
  }
});

describe('bohb strategy block', () => {
  it("fills Hyperband's fidelity defaults and BOHB's own", () => {
    assert.deepEqual(strategyOf({ type: 'bohb' }), {
      type: 'bohb', eta: 3, minEpochs: 1, maxEpochs: 9, iterations: 1, randomFraction: 1 / 3, candidates: 24, gamma: 0.15, multivariate: true,
    });
    assert.deepEqual(BOHB_DEFAULTS, { randomFraction: 1 / 3, candidates: 24, gamma: 0.15, multivariate: true });
  });

  it('takes the fidelity aliases, startup and the model options', () => {
    const s = strategyOf({ type: 'bohb', reductionFactor: 2, gracePeriod: 2, maxT: 16, startup: 4, randomFraction: 0.5, gamma: 0.2 });
    assert.deepEqual(s, { type: 'bohb', eta: 2, minEpochs: 2, maxEpochs: 16, iterations: 1, randomFraction: 0.5, startup: 4, candidates: 24, gamma: 0.2, multivariate: true });
    assert.ok(isFidelityStrategy(s));
    assert.deepEqual(rungBudgets(s), [2, 4, 8, 16]);
  });

  it('has a ladder in its signature, like hyperband', () => {
    const sig = JSON.parse(spaceSignature(parseSpace(space({ type: 'bohb', maxEpochs: 27 }), FILE))) as Record<string, unknown>;
    assert.deepEqual(sig.fidelity, { eta: 3, maxEpochs: 27, minEpochs: 1 });
    assert.equal(sig.strategy, 'bohb');
  });

  it('checks its fields like the other multi-fidelity strategies', () => {
    assert.deepEqual(issuesOf({ type: 'bohb', randomFraction: 1.5 }), [{ path: 'strategy.randomFraction', message: 'expected a number <= 1, got 1.5' }]);
    assert.deepEqual(issuesOf({ type: 'bohb', maxEpochs: 2 }), [
      { path: 'strategy.maxEpochs', message: 'expected an integer >= minEpochs × eta = 1 × 3 = 3 (at least two rungs), got 2' },
    ]);
    assert.equal(issuesOf({ type: 'bohb' }, { epochs: 2 })[0]!.path, 'task.epochs');
    assert.equal(issuesOf({ type: 'bohb', eta: 3, reduction: 3 })[0]!.path, 'strategy.reduction');
  });
});

describe('sampler on hyperband and asha', () => {
  it('random is the default and is left out of the normalised spec; tpe is kept', () => {
    assert.deepEqual(strategyOf({ type: 'asha', trials: 9 }), { type: 'asha', eta: 3, minEpochs: 1, maxEpochs: 9, trials: 9 });
    assert.deepEqual(strategyOf({ type: 'asha', trials: 9, sampler: 'random' }), strategyOf({ type: 'asha', trials: 9 }));
    assert.deepEqual(strategyOf({ type: 'asha', trials: 9, sampler: 'tpe' }), { type: 'asha', eta: 3, minEpochs: 1, maxEpochs: 9, trials: 9, sampler: 'tpe' });
    assert.deepEqual(strategyOf({ type: 'hyperband', sampler: 'tpe' }), { type: 'hyperband', eta: 3, minEpochs: 1, maxEpochs: 9, iterations: 1, sampler: 'tpe' });
  });

  it('refuses other samplers', () => {
    assert.deepEqual(issuesOf({ type: 'asha', trials: 5, sampler: 'cma' }), [{ path: 'strategy.sampler', message: 'expected "random" | "tpe", got "cma"' }]);
    assert.equal(issuesOf({ type: 'successive-halving', sampler: 'tpe' })[0]!.path, 'strategy.sampler');
  });

  it('does not change the signature, so a study can switch samplers', () => {
    const sig = (s: Obj) => spaceSignature(parseSpace(space(s), FILE));
    assert.equal(sig({ type: 'asha', trials: 5, sampler: 'tpe' }), sig({ type: 'asha', trials: 5 }));
  });
});

describe('tpe and bohb example spaces', () => {
  const load = (f: string) => loadSpace(resolve('search-spaces', f));

  it('tpe.json: 30 trials of 3 epochs', () => {
    const s = load('tpe.json');
    assert.equal(s.name, 'tpe-mnist');
    assert.deepEqual(s.strategy, { type: 'tpe', trials: 30, startup: 10, candidates: 24, gamma: 0.1, multivariate: true });
    assert.equal(s.task.epochs, 3);
  });

  it("bohb.json: Hyperband's rungs 1, 3, 9", () => {
    const s = load('bohb.json');
    assert.equal(s.name, 'bohb-mnist');
    assert.ok(isFidelityStrategy(s.strategy));
    assert.deepEqual(rungBudgets(s.strategy), [1, 3, 9]);
  });

  it("share adam.json's params and objective", () => {
    const adam = load('adam.json');
    for (const s of ['tpe.json', 'bohb.json'].map(load)) {
      assert.deepEqual(s.params, adam.params, s.name);
      assert.deepEqual(s.objective, adam.objective, s.name);
    }
  });
});

describe('space.schema.json: tpe and bohb', () => {
  type Member = { properties: Record<string, { description?: string; default?: unknown }>; required?: string[]; description?: string };
  const member = (type: string): Member => {
    const strategy = (spaceJsonSchema().properties as Record<string, { oneOf?: Member[]; anyOf?: Member[] }>).strategy!;
    const m = (strategy.oneOf ?? strategy.anyOf ?? []).find((x) => (x.properties.type as { const?: string } | undefined)?.const === type);
    assert.ok(m, `no schema member for ${type}`);
    return m;
  };

  it('documents every field with its default', () => {
    const tpe = member('tpe');
    assert.deepEqual(tpe.required, ['type', 'trials']);
    for (const [field, value] of Object.entries(TPE_DEFAULTS)) {
      assert.equal(tpe.properties[field]?.default, value, field);
      assert.ok(tpe.properties[field]?.description, field);
    }
    const bohb = member('bohb');
    assert.deepEqual(bohb.required, ['type']);
    for (const field of ['randomFraction', 'startup', 'candidates', 'gamma', 'multivariate', 'eta', 'minEpochs', 'maxEpochs', 'iterations', 'reductionFactor']) {
      assert.ok(bohb.properties[field]?.description, field);
    }
    assert.equal(member('asha').properties.sampler?.default, 'random');
    assert.ok((tpe.description ?? '').includes('Parzen') && (bohb.description ?? '').includes('Hyperband'));
  });
});
