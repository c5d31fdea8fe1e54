/**
 * Warm starts (Optuna's `enqueue_trial`): configs given by hand run before the strategy's own. The space file's
 * `enqueue` list is stored as waiting trials when a sweep (or an ask-and-tell study) opens; `tune enqueue` stores
 * one into a stored study. Either way they are trials of the study: they count toward its trials, survive a resume
 * as any waiting trial does, and a strategy learns from them once they have run.
 */
import { InputError, UsageError } from '../core/errors.js';
import type { StudyRecord, TrialRecord } from '../core/types.js';
import { checkEnqueued, isFidelityStrategy, paramsKey } from '../space/index.js';
import { redactUrl } from '../storage/index.js';
import type { Storage } from '../storage/types.js';
import { fullBudget } from '../strategies/index.js';
import { refreshOnConflict, storeEnqueued, type DispatchScope } from './dispatch.js';
import { parseStoredSpace } from './stored-space.js';

/**
 * Stores the space's enqueued configs that no stored trial has yet (in any state: a config is run once, which also
 * keeps an enqueued grid point from running twice), in order, while the study has fewer than `maxTrials` trials.
 * The rest wait for a run with a larger trial count.
 */
export async function enqueueFromSpace(scope: DispatchScope, maxTrials: number): Promise<void> {
  const configs = scope.space.enqueue ?? [];
  if (configs.length === 0) return;
  const taken = new Set(scope.book.all().map((t) => paramsKey(t.params)));
  for (const params of configs) {
    if (scope.book.all().length >= maxTrials) return;
    const key = paramsKey(params);
    if (taken.has(key)) continue;
    taken.add(key);
    try {
      await storeEnqueued(scope, params, fullBudget(scope.space));
    } catch (err) {
      await refreshOnConflict(err, scope); // another tuner enqueued it (or took the number) first
    }
  }
}

/**
 * `tune enqueue`: checks `config` against the stored study's space and stores it as a waiting trial, which the
 * study's next run starts first. Bad params are an InputError at `--params` naming each param (exit 2).
 * `storagePath` only names the database in messages.
 */
export async function enqueueTrial(storage: Storage, study: StudyRecord, config: unknown, storagePath: string): Promise<TrialRecord> {
  const name = study.name;
  if (study.definition === null) throw new UsageError(`${redactUrl(storagePath)}: study "${name}" has no stored space to check the params against; add them to "enqueue" in its space file`);
  const space = parseStoredSpace(study.definition, storagePath, name);
  if (isFidelityStrategy(space.strategy)) {
    throw new UsageError(`study "${name}" uses ${space.strategy.type}, which starts its configs by rung: enqueue works with the random, grid and tpe strategies`);
  }
  const { params, issues } = checkEnqueued(space.params, config);
  if (issues.length > 0) throw new InputError('--params', issues);
  const trials = await storage.trials(study.id);
  const same = trials.find((t) => paramsKey(t.params) === paramsKey(params));
  if (same !== undefined) throw new UsageError(`study "${name}" already has these params as trial #${same.number} (${same.state}); a config runs once`);
  const number = trials.reduce((n, t) => Math.max(n, t.number + 1), 0);
  const book = { nextNumber: () => number, set: (t: TrialRecord) => t };
  return storeEnqueued({ storage, study, space, book }, params, fullBudget(space));
}
