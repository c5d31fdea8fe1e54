/** A CSV task's own validation data: a separate file, or a column marking each row; standardised with the training rows. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../../src/core/errors.js';
import { buildSplitData } from '../../src/execution/data/dataset.js';

const dir = mkdtempSync(join(tmpdir(), 'tune-data-split-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const TRAIN = file('train.csv', 'a,b,label\n1,10,x\n3,10,y\n5,10,x\n7,10,y\n');

test('a validation file: its rows are the validation set, standardised with the training rows\' statistics', () => {
  // Columns in another order, and a class order that sorts the same over both files.
  const val = file('val.csv', 'label,b,a\ny,12,4\nx,10,0\n');
  const { train, validation } = buildSplitData({ csv: TRAIN, label: 'label', validation: { csv: val } }, 0.5, 1);
  assert.equal(train.count, 4, 'every row of the training file trains: validationSplit is not used');
  assert.equal(validation.count, 2);
  // Training a: mean 4, population std sqrt(5); b is constant (10), so it is only centred.
  const std = Math.sqrt(5);
  assert.deepEqual([...validation.features].map((v) => +v.toFixed(5)), [0, 2, -4 / std, 0].map((v) => +v.toFixed(5)));
  assert.deepEqual([...validation.labels], [1, 0], 'y and x get the training file\'s class indices');
  assert.deepEqual(train.classNames, ['x', 'y']);
});

test('a validation file with other columns, or a bad value, is an input error naming that file', () => {
  const extra = file('extra.csv', 'a,b,c,label\n1,2,3,x\n');
  assert.throws(() => buildSplitData({ csv: TRAIN, label: 'label', validation: { csv: extra } }, 0.5, 1), (e: unknown) => e instanceof InputError && /extra\.csv/.test(e.message) && /columns the training file lacks: c/.test(e.message));
  const missing = file('missing.csv', 'a,label\n1,x\n');
  assert.throws(() => buildSplitData({ csv: TRAIN, label: 'label', validation: { csv: missing } }, 0.5, 1), /missing\.csv[\s\S]*column "b" not found/);
  const text = file('text.csv', 'a,b,label\n1,two,x\n');
  assert.throws(() => buildSplitData({ csv: TRAIN, label: 'label', validation: { csv: text } }, 0.5, 1), /text\.csv[\s\S]*rows\[0\]\.b: "two" is not a number \(line 2, column 2\)/);
});

test('a split column: rows marked train or validation (any case, several spellings), and it is not a feature', () => {
  const marked = file('marked.csv', 'a,part,label\n1,train,x\n2,VAL,y\n3,Training,y\n4,validation,x\n5, valid ,x\n6,train,x\n');
  const { train, validation } = buildSplitData({ csv: marked, label: 'label', split: 'part' }, 0.5, 1);
  assert.equal(train.numFeatures, 1, 'only a is a feature');
  assert.equal(train.count, 3);
  assert.equal(validation.count, 3);
  // Training a: 1, 3, 6 → mean 10/3.
  const mean = 10 / 3;
  const std = Math.sqrt(((1 - mean) ** 2 + (3 - mean) ** 2 + (6 - mean) ** 2) / 3);
  assert.deepEqual([...validation.features].map((v) => +v.toFixed(5)), [2, 4, 5].map((a) => +((a - mean) / std).toFixed(5)), 'the validation rows, in file order, standardised with the training rows');
});

test('a split column with an unknown mark, or no validation rows, is an input error', () => {
  const odd = file('odd.csv', 'a,part,label\n1,train,x\n2,holdout,y\n');
  assert.throws(() => buildSplitData({ csv: odd, label: 'label', split: 'part' }, 0.5, 1), /odd\.csv[\s\S]*rows\[1\]\.part: expected one of train, training, validation, val, valid, got "holdout" \(line 3\)/);
  const none = file('none.csv', 'a,part,label\n1,train,x\n2,train,y\n');
  assert.throws(() => buildSplitData({ csv: none, label: 'label', split: 'part' }, 0.5, 1), /none\.csv[\s\S]*at part: no row is marked validation/);
  assert.throws(() => buildSplitData({ csv: none, label: 'label', split: 'fold' }, 0.5, 1), /none\.csv[\s\S]*at split: column "fold" not found/);
});
