/** `objective.reduce`: the space field, a trial's value under `best` (stored and told to strategies), and its default. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { reduceCurve, tieBreakMetric } from '../../src/core/objective.js';
import { InputError } from '../../src/core/errors.js';
import { openStudy } from '../../src/index.js';
import { parseSpace, spaceSignature } from '../../src/space/index.js';
import { TrialBook } from '../../src/engine/trial-book.js';
import { tempDir } from '../helpers/cli.js';

const file = (reduce?: unknown) => ({
  name: 'r',
  objective: { metric: 'error', direction: 'minimize', ...(reduce !== undefined ? { reduce } : {}) },
  task: { epochs: 3 },
  params: { x: { type: 'float', min: 0, max: 1 } },
  strategy: { type: 'random', trials: 2 },
});

test('reduce is absent unless best, so older studies keep their signature; anything else is an input error naming the field', () => {
  const plain = parseSpace(file(), 'r.json', { askTell: true });
  const last = parseSpace(file('last'), 'r.json', { askTell: true });
  const best = parseSpace(file('best'), 'r.json', { askTell: true });
  assert.deepEqual(plain.objective, { metric: 'error', direction: 'minimize' });
  assert.equal(spaceSignature(last), spaceSignature(plain));
  assert.deepEqual(best.objective, { metric: 'error', direction: 'minimize', reduce: 'best' });
  assert.notEqual(spaceSignature(best), spaceSignature(plain), 'changing reduce changes what values mean');
  assert.throws(() => parseSpace(file('mean'), 'r.json', { askTell: true }), (e: unknown) => e instanceof InputError && /objective\.reduce/.test(e.message) && /best/.test(e.message));
});

test('reduceCurve: last is the epoch asked for; best the best up to it, NaN passed over, the earliest of ties', () => {
  const curve = [0.5, NaN, 0.9, 0.7];
  assert.equal(reduceCurve(curve, 4, 'last', 'maximize'), 0.7);
  assert.equal(reduceCurve(curve, 2, 'best', 'maximize'), 0.5);
  assert.equal(reduceCurve(curve, 4, 'best', 'maximize'), 0.9);
  assert.equal(reduceCurve(curve, 4, 'best', 'minimize'), 0.5);
  assert.ok(Number.isNaN(reduceCurve([NaN], 1, 'best', 'maximize')!));
  assert.equal(reduceCurve([], 1, 'best', 'maximize'), undefined);
  assert.equal(reduceCurve(curve, 5, 'last', 'maximize'), undefined);
  assert.equal(tieBreakMetric('val_accuracy'), 'val_loss');
  assert.equal(tieBreakMetric('accuracy'), 'loss');
  assert.equal(tieBreakMetric('val_acc'), 'val_loss');
  assert.equal(tieBreakMetric('val_loss'), null);
  assert.equal(tieBreakMetric('score'), null);
});

test('a rung compares the best value up to its epoch under reduce best', () => {
  const book = new TrialBook([], new Map([[1, [0.2, 0.8, 0.4]]]), 'maximize', 10, 'best');
  assert.equal(book.valueAfter(1, 3), 0.8);
  assert.equal(book.valueAfter(1, 1), 0.2);
  const last = new TrialBook([], new Map([[1, [0.2, 0.8, 0.4]]]), 'maximize', 10);
  assert.equal(last.valueAfter(1, 3), 0.4);
});

test('ask and tell under reduce best: the stored value is the best reported step, also when tell() gives the last', async () => {
  const dir = tempDir();
  const study = await openStudy(parseSpace(file('best'), join(dir, 'r.json'), { askTell: true }), { storage: join(dir, 'tune.db') });
  try {
    const t = await study.ask();
    for (const [step, v] of [0.5, 0.1, 0.3].entries()) await study.report(t, step + 1, v);
    const done = await study.tell(t, 0.3);
    assert.equal(done.value, 0.1);
    const u = await study.ask();
    await study.report(u, 1, 0.4);
    assert.equal((await study.tell(u, 0.05)).value, 0.05, 'a told value better than every report stands');
  } finally {
    await study.close();
  }
});
