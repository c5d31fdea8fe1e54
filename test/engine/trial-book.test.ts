/** TrialBook keeps its resumable trials as it goes, so an ask finds them without scanning the study. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StudyRecord, TrialRecord, TrialState } from '../../src/core/types.js';
import { isResumable, TrialBook } from '../../src/engine/trial-book.js';

function trial(id: number, number: number, state: TrialState, epochs = 0, budget = 3): TrialRecord {
  return {
    heartbeatAt: null,
    id, studyId: 1, number, state, params: { x: id }, budget, rung: null, bracket: null, seed: id, value: null, epochs,
    error: null, checkpoint: null, worker: null, attempts: 0, createdAt: '2026-12-02T00:00:00.000Z', startedAt: null, finishedAt: null,
  };
}

/** What a scan of the whole view finds: the rule the book's own list must agree with. */
const scanned = (book: TrialBook): number[] => book.all().filter(isResumable).map((t) => t.id);
const listed = (book: TrialBook): number[] => book.resumable().map((t) => t.id);

test('resumable(): the waiting trials and those paused short of their budget, in number order, through every kind of update', () => {
  const book = new TrialBook([trial(1, 0, 'complete', 3), trial(2, 1, 'waiting'), trial(3, 2, 'paused', 1), trial(4, 3, 'paused', 3)], new Map(), 'minimize', 100);
  assert.deepEqual(listed(book), [2, 3], 'a trial paused at its full budget waits for a promotion, not a resume');
  book.set(trial(5, 5, 'waiting'));
  book.set(trial(6, 4, 'waiting')); // out of order: another tuner's trial
  assert.deepEqual(listed(book), [2, 3, 6, 5]);
  book.set(trial(2, 1, 'running'));
  book.set(trial(3, 2, 'complete', 3));
  book.set(trial(4, 3, 'waiting', 3, 9)); // promoted
  assert.deepEqual(listed(book), [4, 6, 5]);
  book.merge({ study: {} as StudyRecord, seq: 7, trials: [trial(6, 4, 'running'), trial(7, 6, 'paused', 2)], reports: [] }, 'loss');
  assert.deepEqual(listed(book), [4, 5, 7]);
  assert.deepEqual(listed(book), scanned(book));
  book.reload([trial(8, 0, 'waiting'), trial(9, 1, 'failed')], new Map());
  assert.deepEqual(listed(book), [8]);
  assert.deepEqual(listed(book), scanned(book));
});

test('set(): trials arriving out of number order (several tuners) keep the view sorted, found by id, in a new array', () => {
  const book = new TrialBook([], new Map(), 'minimize', 100);
  // Numbers as a window of four tuners delivers them: mostly ascending, each tuner's a few behind the others'.
  const numbers = [0, 3, 1, 2, 7, 5, 4, 6, 11, 8, 10, 9, 12, 15, 13, 14];
  numbers.forEach((n, i) => {
    const before = book.context().trials;
    const late = book.nextNumber() > n;
    book.set(trial(100 + i, n, 'waiting'));
    if (late) assert.notEqual(book.context().trials, before, 'an out-of-order trial replaces the array, so caches by identity rescan');
  });
  assert.deepEqual(book.all().map((t) => t.number), [...numbers].sort((a, b) => a - b));
  numbers.forEach((n, i) => assert.equal(book.get(100 + i)?.number, n, `trial id ${100 + i} is found at its place`));
  book.set(trial(105, 5, 'complete', 3)); // an update of a trial that came out of order replaces it where it is
  assert.equal(book.all()[5]?.state, 'complete');
  assert.equal(book.count('waiting'), numbers.length - 1);
  assert.deepEqual(listed(book), scanned(book));
});
