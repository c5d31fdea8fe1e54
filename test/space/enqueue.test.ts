/** `enqueue` in the space file and `task.data.validation` / `split`: what parses, what is refused and where. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatPath, InputError } from '../../src/core/errors.js';
import { gridPoints, paramsKey, parseSpace, spaceSignature } from '../../src/space/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tune-enqueue-'));
const FILE = join(dir, 'space.json');
writeFileSync(join(dir, 'train.csv'), 'a,b,label\n1,2,x\n3,4,y\n');

function base(enqueue: unknown, strategy: Record<string, unknown> = { type: 'random', trials: 4 }): Record<string, unknown> {
  return {
    name: 'warm',
    objective: { metric: 'val_accuracy' },
    task: { data: { builtin: 'mnist' } },
    params: {
      learningRate: { type: 'float', min: 0.001, max: 0.1, log: true },
      batchSize: { type: 'categorical', values: [16, 32] },
      units: { type: 'int', min: 8, max: 64, step: 8 },
      decay: { type: 'float', min: 0, max: 0.1, step: 0.05 },
      l2: 0.0001,
    },
    strategy,
    enqueue,
  };
}

/** Every issue of a space that must not parse, as "path: message". */
function issues(raw: unknown): string[] {
  try {
    parseSpace(raw, FILE);
  } catch (e) {
    assert.ok(e instanceof InputError, String(e));
    assert.equal(e.exitCode, 2);
    assert.match(e.message, /space\.json/, 'the message names the file');
    return e.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
  }
  assert.fail('expected an InputError');
}

describe('enqueue', () => {
  it('normalises each config: fixed params filled in, a stepped float snapped to its grid value', () => {
    const s = parseSpace(base([{ learningRate: 0.01, batchSize: 32, units: 16, decay: 0.05000000000000001 }]), FILE);
    assert.deepEqual(s.enqueue, [{ learningRate: 0.01, batchSize: 32, units: 16, decay: 0.05, l2: 0.0001 }]);
    assert.equal(parseSpace(base(undefined), FILE).enqueue, undefined, 'absent when not given');
  });

  it("adding configs to enqueue keeps the study's identity (its signature)", () => {
    const ok = { learningRate: 0.01, batchSize: 32, units: 16, decay: 0 };
    assert.equal(spaceSignature(parseSpace(base([ok]), FILE)), spaceSignature(parseSpace(base(undefined), FILE)));
  });

  it('an enqueued grid point has the key of the grid point itself', () => {
    const raw = base([{ learningRate: 0.01, batchSize: 16, units: 8, decay: 0.1 }], { type: 'grid' });
    (raw.params as Record<string, unknown>).learningRate = { type: 'categorical', values: [0.001, 0.01] };
    const s = parseSpace(raw, FILE);
    assert.ok(new Set(gridPoints(s.params).map(paramsKey)).has(paramsKey(s.enqueue![0]!)));
  });

  const BAD: [string, unknown, RegExp][] = [
    ['an unknown param', { learningRate: 0.01, batchSize: 16, units: 8, decay: 0, momentum: 0.9 }, /^enqueue\[0\]\.momentum: unknown param "momentum"/],
    ['a float out of range', { learningRate: 0.5, batchSize: 16, units: 8, decay: 0 }, /^enqueue\[0\]\.learningRate: expected a number in \[0\.001, 0\.1\], got 0\.5$/],
    ['a value not in the list', { learningRate: 0.01, batchSize: 64, units: 8, decay: 0 }, /^enqueue\[0\]\.batchSize: expected one of 16, 32, got 64$/],
    ['an int off its step', { learningRate: 0.01, batchSize: 16, units: 12, decay: 0 }, /^enqueue\[0\]\.units: expected an integer in \[8, 64\] on the step 8 from 8, got 12$/],
    ['a float off its step', { learningRate: 0.01, batchSize: 16, units: 8, decay: 0.07 }, /^enqueue\[0\]\.decay: expected a number in \[0, 0\.1\] on the step 0\.05 from 0, got 0\.07$/],
    ['a string for a number', { learningRate: '0.01', batchSize: 16, units: 8, decay: 0 }, /^enqueue\[0\]\.learningRate: expected a number in .*, got "0\.01"$/],
    ['a fixed param given another value', { learningRate: 0.01, batchSize: 16, units: 8, decay: 0, l2: 0.5 }, /^enqueue\[0\]\.l2: is fixed at 0\.0001 in the space, got 0\.5$/],
    ['a searched param left out', { learningRate: 0.01, batchSize: 16, units: 8 }, /^enqueue\[0\]\.decay: missing: an enqueued config gives a value for every searched param$/],
  ];
  for (const [name, config, expected] of BAD) {
    it(`${name} is an input error at enqueue[i].param`, () => {
      const found = issues(base([config]));
      assert.equal(found.length, 1, found.join('\n'));
      assert.match(found[0]!, expected);
    });
  }

  it('a config that is no object, and a list that is no list, are refused', () => {
    assert.match(issues(base([42])).join('\n'), /^enqueue\[0\]/);
    assert.match(issues(base({ learningRate: 0.01 })).join('\n'), /^enqueue: expected a list of configs/);
  });

  it('the second of two configs is named by its index', () => {
    const ok = { learningRate: 0.01, batchSize: 16, units: 8, decay: 0 };
    assert.match(issues(base([ok, { ...ok, units: 65 }])).join('\n'), /^enqueue\[1\]\.units: /);
  });

  it('a conditional param is given only where its condition holds', () => {
    const conditional = (enqueue: unknown) => {
      const raw = base(enqueue);
      const params = raw.params as Record<string, unknown>;
      params.optimizer = { type: 'categorical', values: ['adam', 'sgd'] };
      params.momentum = { type: 'categorical', values: [0.5, 0.9], when: { optimizer: 'sgd' } };
      return raw;
    };
    const ok = { learningRate: 0.01, batchSize: 16, units: 8, decay: 0 };
    const s = parseSpace(conditional([{ ...ok, optimizer: 'adam' }, { ...ok, optimizer: 'sgd', momentum: 0.9 }]), FILE);
    assert.deepEqual(s.enqueue?.map((c) => c.momentum), [undefined, 0.9]);
    assert.ok(!('momentum' in s.enqueue![0]!), 'an inactive param is absent, not undefined-valued');
    assert.deepEqual(issues(conditional([{ ...ok, optimizer: 'adam', momentum: 0.9 }])), [
      'enqueue[0].momentum: is inactive in this config (its "when" doesn\'t hold), so it takes no value: leave it out',
    ]);
    assert.deepEqual(issues(conditional([{ ...ok, optimizer: 'sgd' }])), ['enqueue[0].momentum: missing: an enqueued config gives a value for every searched param']);
  });

  it('a multi-fidelity strategy takes no enqueued configs', () => {
    const found = issues(base([{ learningRate: 0.01, batchSize: 16, units: 8, decay: 0 }], { type: 'asha', trials: 4, maxEpochs: 9 }));
    assert.deepEqual(found, ['enqueue: works with the random, grid and tpe strategies; asha starts its configs by rung and can\'t take enqueued ones']);
  });
});

describe('task.data validation and split', () => {
  const csvSpace = (data: Record<string, unknown>) => ({
    name: 'v', objective: { metric: 'val_accuracy' }, task: { data: { csv: 'train.csv', ...data } }, params: { learningRate: 0.01 }, strategy: { type: 'random', trials: 1 },
  });

  it('a validation file resolves against the space file; a split column is kept by name', () => {
    writeFileSync(join(dir, 'val.csv'), 'a,b,label\n1,2,x\n');
    assert.deepEqual(parseSpace(csvSpace({ validation: { csv: 'val.csv' } }), FILE).task.data, { csv: join(dir, 'train.csv'), label: 'label', validation: { csv: join(dir, 'val.csv') } });
    assert.deepEqual(parseSpace(csvSpace({ split: 'part' }), FILE).task.data, { csv: join(dir, 'train.csv'), label: 'label', split: 'part' });
  });

  it('a missing validation file, both ways at once, and the label as split column are refused', () => {
    assert.match(issues(csvSpace({ validation: { csv: 'nope.csv' } })).join('\n'), /^task\.data\.validation\.csv: file not found: .*nope\.csv/);
    assert.match(issues(csvSpace({ validation: { csv: 'train.csv' }, split: 'part' })).join('\n'), /task\.data\.split: give either "validation" \(a separate file\) or "split" \(a column\), not both/);
    assert.match(issues(csvSpace({ split: 'label' })).join('\n'), /task\.data\.split: the split column must not be the label column/);
  });
});
