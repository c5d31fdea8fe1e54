/** Shared fixtures of the storage contract suites. */
import assert from 'node:assert/strict';
import type { StudySpec, TrialOutcome, TrialRecord } from '../../src/core/types.js';
import type { NewTrial, Storage } from '../../src/storage/types.js';

export const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

export const spec = (over: Partial<StudySpec> = {}): StudySpec => ({
  name: 'adam',
  space: { lr: { type: 'log-uniform', low: 1e-4, high: 1e-1 }, layers: { type: 'int', low: 1, high: 4 } },
  direction: 'maximize',
  metric: 'val_accuracy',
  strategy: 'random',
  seed: 42,
  ...over,
});

export const newTrial = (over: Partial<NewTrial> = {}): NewTrial => ({
  params: { lr: 0.01, layers: 2 },
  budget: 10,
  seed: 7,
  ...over,
});

export type MakeStorage = () => Storage | Promise<Storage>;

/** Wraps a test body so it gets a fresh storage, closed afterwards even when the test fails. */
export const storageTest = (makeStorage: MakeStorage) => (fn: (s: Storage) => Promise<void>) => async () => {
  const s = await makeStorage();
  try {
    await fn(s);
  } finally {
    await s.close();
  }
};

/** Reports `values` as val_accuracy for epochs `from`, `from + 1`, … of a running trial. */
export async function reportEpochs(s: Storage, id: number, values: readonly number[], from = 1): Promise<void> {
  for (const [i, v] of values.entries()) await s.report(id, from + i, { val_accuracy: v }, v);
}

/** A trial taken through create → claim → one report per value → finish. */
export async function runTrial(
  s: Storage,
  studyId: number,
  values: number[],
  outcome: Partial<TrialOutcome>,
  trial: Partial<NewTrial> = {},
): Promise<TrialRecord> {
  const t = await s.createTrial(studyId, newTrial(trial));
  assert.equal(await s.claimTrial(t.id, 'w0'), true);
  await reportEpochs(s, t.id, values);
  return s.finishTrial(t.id, { state: 'complete', epochs: values.length, ...outcome });
}
