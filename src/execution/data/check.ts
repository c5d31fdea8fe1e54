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

/**
 * When the trial workers need tfjs (the pool's `tfjs` option): a task module whose objective() replaces training
 * and whose imports load no tfjs trains nothing, so its workers load tfjs only if a trial needs it after all.
 */
export type TfjsNeed = 'at-start' | 'when-needed';

/**
 * Throws an InputError when the space's data (or its module's loadData()) would fail every trial. Resolves with
 * when the workers need tfjs.
 */
export async function checkTaskData(space: SearchSpace, file: string = space.name): Promise<TfjsNeed> {
  const facts = await verifyTaskModule(space, file, { loadData: true });
  if (facts !== undefined && facts.exports.includes('objective')) return facts.loadsTfjs ? 'at-start' : 'when-needed';
  // A module's loadData() replaces task.data; the module check has covered it.
  if (facts !== undefined && facts.exports.includes('loadData')) return 'at-start';
  const data = space.task.data;
  if (data === undefined || 'builtin' in data) return 'at-start'; // the bundled digits need no check
  try {
    buildSplitData(data, space.task.validationSplit, space.seed);
  } catch (e) {
    if (e instanceof InputError) throw e; // names the csv file, the row and the column already
    throw new InputError(file, [{ path: ['task', 'validationSplit'], message: errorMessage(e) }]);
  }
  return 'at-start';
}
