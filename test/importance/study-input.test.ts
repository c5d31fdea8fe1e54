/** Building importance's input from stored trials: which trials count and where the param specs come from. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StudyRecord } from '../../src/core/types.js';
import { importanceInput, loadImportanceInput, paramInfosOf, type TrialSource } from '../../src/importance/index.js';
import { record, space } from '../helpers/records.js';

const study = (over: Partial<StudyRecord> = {}): StudyRecord => ({
  id: 1, name: 'unit', space: {}, definition: null, direction: 'maximize', metric: 'val_accuracy', strategy: 'random', seed: 1,
  backend: null, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', ...over,
});

test('complete and pruned trials with a finite value count; failed, running, paused and NaN ones do not', () => {
  const trials = [
    record(0, { x: 1 }, 'complete', 0.5),
    record(1, { x: 2 }, 'pruned', 0.2),
    record(2, { x: 3 }, 'failed', 0.9),
    record(3, { x: 4 }, 'running', 0.9),
    record(4, { x: 5 }, 'paused', 0.9),
    record(5, { x: 6 }, 'complete', Number.NaN),
    record(6, { x: 7 }, 'complete', null),
  ];
  const input = importanceInput(study(), trials);
  assert.deepEqual(input.trials, [{ params: { x: 1 }, value: 0.5 }, { params: { x: 2 }, value: 0.2 }]);
  assert.equal(input.direction, 'maximize');
});

test('param specs come from the stored definition, fixed params left out', () => {
  const s = space({ params: { lr: { type: 'float', min: 1e-4, max: 1e-1, log: true }, bs: { type: 'categorical', values: [16, 32] }, k: { type: 'fixed', value: 3 } } });
  assert.deepEqual(paramInfosOf(study({ definition: s }), []), [
    { name: 'lr', spec: { type: 'float', min: 1e-4, max: 1e-1, log: true } },
    { name: 'bs', spec: { type: 'categorical', values: [16, 32] } },
  ]);
  // Without a definition, the stored signature's params.
  assert.deepEqual(paramInfosOf(study({ space: { signature: { params: s.params } } }), []).map((p) => p.name), ['lr', 'bs']);
});

test('without stored specs they are inferred from the trials: numbers as a range, the rest as categories', () => {
  const trials = [record(0, { x: 1, c: 'a', same: 2 }), record(1, { x: 5, c: true, same: 2 }), record(2, { x: 3, c: 'a', same: 2 })];
  assert.deepEqual(paramInfosOf(study({ space: { lr: { type: 'log-uniform' } } }), trials), [
    { name: 'x', spec: { type: 'float', min: 1, max: 5, log: false } },
    { name: 'c', spec: { type: 'categorical', values: ['a', true] } },
  ]);
});

test('loadImportanceInput asks the source for the counted states only', async () => {
  const asked: unknown[] = [];
  const source: TrialSource = {
    trials: async (id, filter) => {
      asked.push([id, filter]);
      return [record(0, { x: 1 }, 'complete', 1)];
    },
  };
  const input = await loadImportanceInput(source, study({ id: 9 }));
  assert.deepEqual(asked, [[9, { states: ['complete', 'pruned'] }]]);
  assert.equal(input.trials.length, 1);
});
