import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { formatPath, InputError } from '../../src/core/errors.js';
import { openStudyFor, storedSpace } from '../../src/engine/index.js';
import { FIDELITY_STRATEGY_TYPES, parseSpace, spaceJsonSchema, spaceSignature } from '../../src/space/index.js';
import { openStorage } from '../../src/storage/index.js';

type Obj = Record<string, unknown>;
const FILE = resolve('test/fixtures/spaces/inline.json');

function file(pruner: unknown, strategy: Obj = { type: 'random', trials: 3 }): Obj {
  return {
    name: 'pruned',
    objective: { metric: 'val_accuracy' },
    task: { data: { builtin: 'mnist' }, epochs: 9 },
    params: { learningRate: { type: 'float', min: 0.001, max: 0.1, log: true } },
    strategy,
    ...(pruner !== undefined ? { pruner } : {}),
  };
}

function issuesOf(raw: Obj): { path: string; message: string }[] {
  try {
    parseSpace(raw, FILE, { checkFiles: false });
  } catch (e) {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    assert.equal(e.exitCode, 2);
    assert.ok(e.message.includes(FILE), 'the message names the file');
    return e.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  }
  assert.fail('expected an InputError, but nothing was thrown');
}

describe('the space file\'s pruner', () => {
  it('fills Optuna\'s defaults, and is absent when not given', () => {
    assert.deepEqual(parseSpace(file({ type: 'median' }), FILE, { checkFiles: false }).pruner, { type: 'median', startup: 5, warmup: 0, interval: 1, minTrials: 1 });
    assert.deepEqual(parseSpace(file({ type: 'percentile', percentile: 25, warmup: 2 }), FILE, { checkFiles: false }).pruner, {
      type: 'percentile', percentile: 25, startup: 5, warmup: 2, interval: 1, minTrials: 1,
    });
    assert.deepEqual(parseSpace(file({ type: 'patience', patience: 3 }), FILE, { checkFiles: false }).pruner, { type: 'patience', patience: 3, minDelta: 0 });
    assert.deepEqual(parseSpace(file({ type: 'threshold', lower: 0.2 }), FILE, { checkFiles: false }).pruner, { type: 'threshold', lower: 0.2, warmup: 0, interval: 1 });
    assert.equal('pruner' in parseSpace(file(undefined), FILE, { checkFiles: false }), false);
    for (const strategy of [{ type: 'grid' }, { type: 'tpe', trials: 5 }]) {
      const grid = { ...file({ type: 'median' }, strategy), params: { learningRate: { type: 'categorical', values: [0.01, 0.1] } } };
      assert.equal(parseSpace(grid, FILE, { checkFiles: false }).pruner?.type, 'median');
    }
  });

  it('is not part of the study\'s identity: a rerun may change or drop it', () => {
    const a = parseSpace(file({ type: 'median' }), FILE, { checkFiles: false });
    const b = parseSpace(file(undefined), FILE, { checkFiles: false });
    assert.equal(spaceSignature(a), spaceSignature(b));
  });

  const BAD: { name: string; pruner: unknown; path: string; message: string }[] = [
    { name: 'unknown type', pruner: { type: 'hyperband' }, path: 'pruner.type', message: '"median" | "percentile" | "patience" | "threshold"' },
    { name: 'percentile missing', pruner: { type: 'percentile' }, path: 'pruner.percentile', message: 'required' },
    { name: 'percentile above 100', pruner: { type: 'percentile', percentile: 120 }, path: 'pruner.percentile', message: '<= 100' },
    { name: 'negative startup', pruner: { type: 'median', startup: -1 }, path: 'pruner.startup', message: '>= 0' },
    { name: 'fractional warmup', pruner: { type: 'median', warmup: 1.5 }, path: 'pruner.warmup', message: 'expected an integer' },
    { name: 'interval 0', pruner: { type: 'median', interval: 0 }, path: 'pruner.interval', message: '>= 1' },
    { name: 'unknown key', pruner: { type: 'median', warmpu: 1 }, path: 'pruner.warmpu', message: 'did you mean "warmup"?' },
    { name: 'patience missing', pruner: { type: 'patience' }, path: 'pruner.patience', message: 'required' },
    { name: 'patience 0', pruner: { type: 'patience', patience: 0 }, path: 'pruner.patience', message: '>= 1' },
    { name: 'negative minDelta', pruner: { type: 'patience', patience: 2, minDelta: -0.1 }, path: 'pruner.minDelta', message: '>= 0' },
    { name: 'threshold without bounds', pruner: { type: 'threshold' }, path: 'pruner', message: 'needs "lower", "upper" or both' },
    { name: 'threshold lower above upper', pruner: { type: 'threshold', lower: 2, upper: 1 }, path: 'pruner.upper', message: 'expected a number >= lower (2), got 1' },
    { name: 'not an object', pruner: 'median', path: 'pruner', message: 'expected' },
  ];
  for (const c of BAD) {
    it(`refuses a bad pruner: ${c.name}`, () => {
      const issues = issuesOf(file(c.pruner));
      assert.ok(issues.some((i) => i.path === c.path && i.message.includes(c.message)), JSON.stringify(issues));
    });
  }

  it('is refused beside a multi-fidelity strategy, which prunes by its own rungs', () => {
    const strategies: Record<string, Obj> = {
      'successive-halving': { type: 'successive-halving', eta: 3, minEpochs: 1, maxEpochs: 9 },
      hyperband: { type: 'hyperband', eta: 3, minEpochs: 1, maxEpochs: 9 },
      asha: { type: 'asha', trials: 9, eta: 3, minEpochs: 1, maxEpochs: 9 },
      bohb: { type: 'bohb', eta: 3, minEpochs: 1, maxEpochs: 9 },
    };
    assert.deepEqual(Object.keys(strategies).sort(), [...FIDELITY_STRATEGY_TYPES].sort(), 'every multi-fidelity strategy is covered');
    for (const [type, strategy] of Object.entries(strategies)) {
      parseSpace(file(undefined, strategy), FILE, { checkFiles: false }); // valid without the pruner
      const issues = issuesOf(file({ type: 'median' }, strategy));
      assert.deepEqual(issues, [{ path: 'pruner', message: `the ${type} strategy prunes trials by its own rungs and takes no pruner; remove "pruner", or use it with random, grid or tpe` }]);
    }
  });

  it('is in the JSON Schema, with its four types', () => {
    const schema = JSON.stringify(spaceJsonSchema());
    for (const word of ['"pruner"', 'Golovin', 'EarlyStopping', 'ThresholdPruner', 'PercentilePruner']) assert.ok(schema.includes(word), word);
  });
});

describe('a stored study\'s pruner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tune-pruner-space-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('comes back from the stored definition, for tune resume', async () => {
    const db = join(dir, 'tune.db');
    for (const [i, pruner] of [{ type: 'median', warmup: 2 }, { type: 'percentile', percentile: 30 }, { type: 'patience', patience: 2, minDelta: 0.01 }, { type: 'threshold', upper: 3 }].entries()) {
      const space = parseSpace({ ...file(pruner), name: `pruned-${i}` }, FILE, { checkFiles: false });
      const storage = openStorage(db);
      try {
        await openStudyFor(storage, space);
      } finally {
        await storage.close();
      }
      assert.deepEqual(await storedSpace(db, space.name), space);
    }
  });
});
