import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../src/core/errors.js';
import { classOrder, loadCsv, parseCsv } from '../../src/execution/data/csv.js';
import { loadSplitData } from '../../src/execution/data/dataset.js';
import { loadMnist } from '../../src/execution/data/mnist.js';
import { splitIndices, takeRows } from '../../src/execution/data/split.js';
import { featureStats } from '../../src/execution/data/standardise.js';
import { fixture } from './helpers.js';

const BLOBS = fixture('blobs.csv');

test('csv: a header row, numeric features, labels mapped to class indices in sorted order', () => {
  const data = loadCsv(BLOBS, 'species');
  assert.equal(data.count, 90);
  assert.equal(data.numFeatures, 5);
  assert.deepEqual(data.classNames, ['setosa', 'versicolor', 'virginica']);
  assert.deepEqual([...data.labels.slice(0, 4)], [0, 1, 2, 0]);
  assert.deepEqual([...data.features.slice(0, 5)].map((v) => +v.toFixed(3)), [1.076, 6, 1.255, 1.294, 4.5]);
  assert.deepEqual(classOrder(['10', '9', '2']), ['2', '9', '10'], 'numeric labels sort as numbers');
  assert.deepEqual(parseCsv('a,"b,c"\r\n1,"say ""hi"""\n\n').rows, [['a', 'b,c'], ['1', 'say "hi"']]);
});

test('csv: a non-numeric feature is an InputError naming the file, the row and the column', () => {
  assert.throws(
    () => loadCsv(fixture('non-numeric.csv'), 'species'),
    (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.match(e.message, /non-numeric\.csv/);
      assert.match(e.message, /rows\[3\]\.width: "n\/a" is not a number \(line 5, column 3\)/);
      return true;
    },
  );
  assert.throws(() => loadCsv(BLOBS, 'kind'), /column "kind" not found; the columns are sepal, petal, width, height, constant, species/);
});

test('csv: features are standardised with the training split statistics only', () => {
  const raw = loadCsv(BLOBS, 'species');
  const { train, validation } = loadSplitData({ csv: BLOBS, label: 'species' }, 0.25, 7);
  const idx = splitIndices(raw.count, 0.25, 7);
  const rawTrain = takeRows(raw, idx.train);
  const rawVal = takeRows(raw, idx.validation);
  const stats = featureStats(rawTrain);
  const trained = featureStats(train);
  for (let j = 0; j < 4; j++) {
    assert.ok(Math.abs(trained.mean[j]!) < 1e-5, `train mean of column ${j} is 0`);
    assert.ok(Math.abs(trained.std[j]! - 1) < 1e-5, `train std of column ${j} is 1`);
  }
  // Validation rows are transformed with the train mean and std, not their own.
  for (let r = 0; r < validation.count; r++) {
    for (let j = 0; j < 4; j++) {
      const expected = (rawVal.features[r * 5 + j]! - stats.mean[j]!) / stats.std[j]!;
      assert.ok(Math.abs(validation.features[r * 5 + j]! - expected) < 1e-5);
    }
  }
  assert.ok(Math.abs(featureStats(validation).mean[0]!) > 1e-3, 'validation is not re-centred on itself');
  // The constant column has std 0: it is only centred.
  assert.equal(stats.std[4], 0);
  assert.ok([...train.features].filter((_, i) => i % 5 === 4).every((v) => v === 0));
});

test('the split is fixed by the split seed: the same for every trial of a study, different for another seed', () => {
  const a = splitIndices(100, 0.2, 42);
  const b = splitIndices(100, 0.2, 42);
  assert.deepEqual(a, b);
  assert.equal(a.train.length, 80);
  assert.equal(a.validation.length, 20);
  assert.deepEqual([...a.train, ...a.validation].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  assert.notDeepEqual(splitIndices(100, 0.2, 43).validation, a.validation);
  const first = loadSplitData({ builtin: 'mnist', limit: 200 }, 0.2, 42);
  assert.equal(loadSplitData({ builtin: 'mnist', limit: 200 }, 0.2, 42), first, 'cached per worker');
  assert.throws(() => splitIndices(10, 0, 1), /validationSplit must be between 0 and 1/);
  assert.throws(() => splitIndices(1, 0.5, 1), /both need at least one/);
});

test('mnist: 10,000 digits interleaved by class, so a limit takes a stratified prefix', () => {
  const all = loadMnist();
  assert.ok(all.count > 9900 && all.count <= 10100, `count ${all.count}`);
  assert.equal(all.numFeatures, 784);
  assert.deepEqual(all.imageShape, [28, 28, 1]);
  assert.deepEqual([...all.labels.slice(0, 12)], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  const some = loadMnist(600);
  assert.equal(some.count, 600);
  assert.equal(some.features.length, 600 * 784);
  const perClass = new Array<number>(10).fill(0);
  for (const l of some.labels) perClass[l]!++;
  assert.deepEqual(perClass, new Array<number>(10).fill(60));
  assert.ok(some.features.every((v) => v >= 0 && v <= 1));
});
