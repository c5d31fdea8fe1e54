/**
 * The data a sweep trains on, loaded and checked once before any trial starts: a CSV that can't be read (a missing
 * label column, a non-numeric value, a ragged row, a header-only file) or a module whose loadData() throws is an
 * input error (exit 2) with the message a trial would have failed with, instead of failing every trial. Runs on the
 * main thread: CSV parsing needs no tfjs; a module's loadData() runs in the throwaway check thread.
 */
import { errorMessage, InputError } from '../../core/errors.js';
import type { SearchSpace } from '../../space/types.js';
import { verifyTaskModule } from '../task-module/module-check.js';
import { buildSplitData } from './dataset.js';

/** Throws an InputError when the space's data (or its module's loadData()) would fail every trial. */
export async function checkTaskData(space: SearchSpace, file: string = space.name): Promise<void> {
  const exports = await verifyTaskModule(space, file, { loadData: true });
  // A module's loadData() or objective() replaces task.data; the module check has covered them.
  if (exports !== undefined && (exports.includes('loadData') || exports.includes('objective'))) return;
  const data = space.task.data;
  if (data === undefined || 'builtin' in data) return; // the bundled digits need no check
  try {
    buildSplitData(data, space.task.validationSplit, space.seed);
  } catch (e) {
    if (e instanceof InputError) throw e; // names the csv file, the row and the column already
    throw new InputError(file, [{ path: ['task', 'validationSplit'], message: errorMessage(e) }]);
  }
}
